import Link from 'next/link';
import { PortalProjectsDocument } from '../../../../clients/generated/graphql';
import { ActionForm } from '../../src/action-form';
import { ErrorList } from '../../src/error-list';
import { messagesFor } from '../../src/error-messages';
import { execute } from '../../src/router';
import { requireViewer } from '../../src/viewer';
import { createProject } from '../actions';
import { ListTable } from '../../src/list-table';

export default async function ProjectsPage() {
  const { token } = await requireViewer();
  const result = await execute(PortalProjectsDocument, {}, token);
  const projects = result.data?.me?.projects;
  return (
    <>
      <h1>Projects</h1>
      {projects ? (
        projects.length === 0 ? (
          <p>No projects yet. Create your first one below.</p>
        ) : (
          <ListTable columns={['Name', 'Description', 'Visibility', 'Created']}>
            {projects.map((project) => (
              <tr key={project.id}>
                <td>
                  <Link href={`/projects/${project.id}`}>{project.name}</Link>
                </td>
                <td>{project.description}</td>
                <td>{project.visibility === 'PUBLIC' ? 'Public' : 'Private'}</td>
                <td>{new Date(project.createdAt).toLocaleDateString('en')}</td>
              </tr>
            ))}
          </ListTable>
        )
      ) : (
        <ErrorList messages={messagesFor(result.errors)} />
      )}
      <section className="narrow">
        <h2>New project</h2>
        <ActionForm action={createProject} submitLabel="Create project" pendingLabel="Creating…">
          <label>
            Name
            <input name="name" required maxLength={200} />
          </label>
          <label>
            Description
            <textarea name="description" rows={3} />
          </label>
          <label>
            Visibility
            <select name="visibility" defaultValue="PRIVATE">
              <option value="PRIVATE">Private: only you (and admins)</option>
              <option value="PUBLIC">Public: anyone, and used for recommendations</option>
            </select>
          </label>
        </ActionForm>
      </section>
    </>
  );
}
