import Link from 'next/link';
import { PortalProjectDocument, PortalTaskUpdatedDocument } from '../../../../../clients/generated/graphql';
import { ActionForm } from '../../../src/action-form';
import { ErrorList } from '../../../src/error-list';
import { messagesFor } from '../../../src/error-messages';
import { liveOperation } from '../../../src/live-operation';
import { LiveTasks } from '../../../src/live-tasks';
import { execute } from '../../../src/router';
import { requireViewer } from '../../../src/viewer';
import { addFile, cutVersion, submitTask } from '../../actions';
import { ListTable } from '../../../src/list-table';

/** One project: its files and cut versions, and its tasks with their status followed live. */
export default async function ProjectPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const { token } = await requireViewer();
  const result = await execute(PortalProjectDocument, { id }, token);
  const project = result.data?.project;
  if (!project) {
    return (
      <>
        <h1>Project</h1>
        <ErrorList messages={result.errors ? messagesFor(result.errors) : messagesFor([{ message: '', extensions: { code: 'NOT_FOUND' } }])} />
        <Link href="/projects">All projects</Link>
      </>
    );
  }
  const hidden = <input type="hidden" name="projectId" value={project.id} />;
  return (
    <>
      <p>
        <Link href="/projects">All projects</Link>
      </p>
      <h1>{project.name}</h1>
      {project.description && <p>{project.description}</p>}
      <p className="muted">
        {project.visibility === 'PUBLIC' ? 'Public' : 'Private'} · {project.files.length} files · {project.versions.length} versions
      </p>

      <h2>Tasks</h2>
      <LiveTasks tasks={project.tasks} live={liveOperation(PortalTaskUpdatedDocument, { projectId: project.id })} />
      <section className="narrow">
        <ActionForm action={submitTask} submitLabel="Submit task" pendingLabel="Submitting…">
          {hidden}
          <label>
            Kind
            <select name="kind" defaultValue="BUILD">
              <option value="BUILD">Build: verify and digest the files</option>
              <option value="TEST">Test</option>
              <option value="ANALYZE">Analyze: count lines</option>
              <option value="DEPLOY">Deploy the sandbox</option>
            </select>
          </label>
        </ActionForm>
      </section>

      <h2>Files</h2>
      {project.files.length === 0 ? (
        <p>No files yet.</p>
      ) : (
        <ListTable label="Files" columns={['Path', 'Size', 'Version', 'Changed']}>
          {project.files.map((file) => (
            <tr key={file.path}>
              <td>
                <code>{file.path}</code>
              </td>
              <td>{file.size} B</td>
              <td>{file.version}</td>
              <td>{new Date(file.updatedAt).toLocaleString('en')}</td>
            </tr>
          ))}
        </ListTable>
      )}
      <section className="narrow">
        <ActionForm action={addFile} submitLabel="Save file" pendingLabel="Saving…">
          {hidden}
          <label>
            Path
            <input name="path" required maxLength={255} placeholder="src/index.ts" />
          </label>
          <label>
            Content
            <textarea name="content" rows={4} />
          </label>
        </ActionForm>
      </section>

      <h2>Versions</h2>
      {project.versions.length === 0 ? (
        <p>No versions cut yet.</p>
      ) : (
        <ListTable label="Versions" columns={['Version', 'Message', 'Files', 'Cut']}>
          {project.versions.map((version) => (
            <tr key={version.number}>
              <td>{version.number}</td>
              <td>{version.message}</td>
              <td>{version.files.length}</td>
              <td>{new Date(version.createdAt).toLocaleString('en')}</td>
            </tr>
          ))}
        </ListTable>
      )}
      <section className="narrow">
        <ActionForm action={cutVersion} submitLabel="Cut version" pendingLabel="Cutting…">
          {hidden}
          <label>
            Message
            <input name="message" required maxLength={500} />
          </label>
        </ActionForm>
      </section>
    </>
  );
}
