import type { Metadata } from 'next';
import Link from 'next/link';
import type { ReactNode } from 'react';
import { viewer } from '../src/viewer';
import { signOut } from './actions';
import './globals.css';

export const metadata: Metadata = { title: 'Supergraph portal' };

export default async function RootLayout({ children }: { children: ReactNode }) {
  const user = await viewer();
  return (
    <html lang="en">
      <body>
        <header className="top">
          <Link href="/" className="brand">
            Supergraph
          </Link>
          {user ? (
            <nav aria-label="Main">
              <Link href="/dashboard">Dashboard</Link>
              <Link href="/projects">Projects</Link>
              <Link href="/payments">Payments</Link>
              <Link href="/wallet">Wallet</Link>
              <Link href="/ai">AI</Link>
              {user.isAdmin && <Link href="/admin">Admin</Link>}
              <span className="who">{user.email ?? user.displayName}</span>
              <form action={signOut}>
                <button type="submit">Sign out</button>
              </form>
            </nav>
          ) : (
            <nav aria-label="Main">
              <Link href="/login">Sign in</Link>
              <Link href="/register">Register</Link>
            </nav>
          )}
        </header>
        <main>{children}</main>
      </body>
    </html>
  );
}
