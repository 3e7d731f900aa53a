import { composeSupergraph, federation, startSubgraphs, type SubgraphDefinition } from './federation/harness';

/**
 * A small library supergraph for what the benchmark's lacks: a union and an interface, a mutation,
 * and fields that fail in a subgraph, nullable and non-null (null propagation and error paths).
 * Book 2's ratings fail. `reset()` restores the data, so stock and ours run mutations on equal state.
 */
interface Book {
  id: string;
  title: string;
}
const initialBooks = (): Book[] => [
  { id: '1', title: 'Dune' },
  { id: '2', title: 'Solaris' },
  { id: '3', title: 'Ubik' },
];
let books = initialBooks();
const films = [{ id: 'f1', title: 'Stalker', director: 'Tarkovsky' }];
const shelf = () => [...books.map((book) => ({ __typename: 'Book', ...book })), ...films.map((film) => ({ __typename: 'Film', ...film }))];

const definitions: Record<string, SubgraphDefinition> = {
  catalog: {
    typeDefs:
      federation(['@key']) +
      `type Query { shelf: [Item!]! books: [Book!] node(id: ID!): Node }
       type Mutation { addBook(title: String!): Book! renameBook(id: ID!, title: String!): Book }
       interface Node { id: ID! }
       union Item = Book | Film
       type Book implements Node @key(fields: "id") { id: ID! title: String! }
       type Film implements Node @key(fields: "id") { id: ID! title: String! director: String }`,
    resolvers: {
      Query: {
        shelf,
        books: () => books,
        node: (_: unknown, { id }: { id: string }) => shelf().find((item) => item.id === id),
      },
      Mutation: {
        addBook: (_: unknown, { title }: { title: string }) => {
          const book = { id: String(books.length + 1), title };
          books.push(book);
          return book;
        },
        renameBook: (_: unknown, { id, title }: { id: string; title: string }) => {
          const book = books.find((candidate) => candidate.id === id);
          if (book) book.title = title;
          return book;
        },
      },
      Item: { __resolveType: (item: { __typename: string }) => item.__typename },
      Node: { __resolveType: (node: { __typename: string }) => node.__typename },
      Book: { __resolveReference: (ref: { id: string }) => books.find((book) => book.id === ref.id) },
      Film: { __resolveReference: (ref: { id: string }) => films.find((film) => film.id === ref.id) },
    },
  },
  ratings: {
    typeDefs: federation(['@key']) + 'type Book @key(fields: "id") { id: ID! rating: Int strictRating: Int! flakyRating: Int }',
    resolvers: {
      Book: {
        __resolveReference: (ref: { id: string }) => ref,
        rating: (book: Book) => Number(book.id) * 2,
        strictRating: (book: Book) => failFor(book, 'strict'),
        flakyRating: (book: Book) => failFor(book, 'flaky'),
      },
    },
  },
};

function failFor(book: Book, which: string): number {
  if (book.id === '2') throw new Error(`${which} rating unavailable for book ${book.id}`);
  return Number(book.id);
}

export interface LibraryFixture {
  urls: Record<string, string>;
  supergraphSdl: string;
  reset(): void;
  stop(): Promise<void>;
}

export async function startLibrary(): Promise<LibraryFixture> {
  const subgraphs = await startSubgraphs(definitions);
  return {
    urls: subgraphs.urls,
    supergraphSdl: composeSupergraph(definitions, subgraphs.urls),
    reset: () => void (books = initialBooks()),
    stop: () => subgraphs.stop(),
  };
}
