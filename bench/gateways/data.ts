/**
 * A fixed, deterministic data set for the gateway benchmark, shaped like the public
 * graphql-gateways-benchmark's: users who write reviews of products, products in stock or not.
 */
export interface UserRecord {
  id: string;
  name: string;
  username: string;
  birthday: number;
}
export interface ProductRecord {
  upc: string;
  name: string;
  price: number;
  weight: number;
}
export interface ReviewRecord {
  id: string;
  body: string;
  authorId: string;
  productUpc: string;
}

export const users: UserRecord[] = Array.from({ length: 10 }, (_, i) => ({
  id: String(i + 1),
  name: `User ${i + 1}`,
  username: `user${i + 1}`,
  birthday: 1_000_000_000 + i * 86_400,
}));

export const products: ProductRecord[] = Array.from({ length: 12 }, (_, i) => ({
  upc: String(i + 1),
  name: `Product ${i + 1}`,
  price: 100 + i * 37,
  weight: 10 + (i % 5) * 20,
}));

export const reviews: ReviewRecord[] = Array.from({ length: 30 }, (_, i) => ({
  id: String(i + 1),
  body: `Review ${i + 1}: ${'a thoughtful sentence about the product. '.repeat(1 + (i % 3))}`.trim(),
  authorId: String((i % users.length) + 1),
  productUpc: String(((i * 7) % products.length) + 1),
}));

export const inStock = (upc: string): boolean => Number(upc) % 3 !== 0;
