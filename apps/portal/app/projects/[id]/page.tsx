import Link from 'next/link';
import type { ComponentProps, ReactNode } from 'react';
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

/** A form of the project page: its action learns the project from the hidden field (see onProject in app/actions.ts). */
function ProjectForm({ projectId, ...form }: ComponentProps<typeof ActionForm> & { projectId: string }) {
  return (
    <section className="narrow">
      <ActionForm {...form}>
        <input type="hidden" name="projectId" value={projectId} />
        {form.children}
      </ActionForm>
    </section>
  );
}

/** A heading over the project's items of one kind in a table, or over `empty` while there are none. */
function Listing({ title, empty, columns, rows }: { title: string; empty: string; columns: readonly string[]; rows: ReactNode[] }) {
  return (
    <>
      <h2>{title}</h2>
      {rows.length === 0 ? (
        <p>{empty}</p>
      ) : (
        <ListTable label={title} columns={columns}>
          {rows}
        </ListTable>
      )}
    </>
  );
}

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
      <ProjectForm projectId={project.id} action={submitTask} submitLabel="Submit task" pendingLabel="Submitting…">
        <label>
          Kind
          <select name="kind" defaultValue="BUILD">
            <option value="BUILD">Build: verify and digest the files</option>
            <option value="TEST">Test</option>
            <option value="ANALYZE">Analyze: count lines</option>
            <option value="DEPLOY">Deploy the sandbox</option>
          </select>
        </label>
      </ProjectForm>

      <Listing
        title="Files"
        empty="No files yet."
        columns={['Path', 'Size', 'Version', 'Changed']}
        rows={project.files.map((file) => (
          <tr key={file.path}>
            <td>
              <code>{file.path}</code>
            </td>
            <td>{file.size} B</td>
            <td>{file.version}</td>
            <td>{new Date(file.updatedAt).toLocaleString('en')}</td>
          </tr>
        ))}
      />
      <ProjectForm projectId={project.id} action={addFile} submitLabel="Save file" pendingLabel="Saving…">
        <label>
          Path
          <input name="path" required maxLength={255} placeholder="src/index.ts" />
        </label>
        <label>
          Content
          <textarea name="content" rows={4} />
        </label>
      </ProjectForm>

      <Listing
        title="Versions"
        empty="No versions cut yet."
        columns={['Version', 'Message', 'Files', 'Cut']}
        rows={project.versions.map((version) => (
          <tr key={version.number}>
            <td>{version.number}</td>
            <td>{version.message}</td>
            <td>{version.files.length}</td>
            <td>{new Date(version.createdAt).toLocaleString('en')}</td>
          </tr>
        ))}
      />
      <ProjectForm projectId={project.id} action={cutVersion} submitLabel="Cut version" pendingLabel="Cutting…">
        <label>
          Message
          <input name="message" required maxLength={500} />
        </label>
      </ProjectForm>
    </>
  );
}
