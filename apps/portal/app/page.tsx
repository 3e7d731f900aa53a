import { redirect } from 'next/navigation';
import { viewer } from '../src/viewer';

export default async function Home() {
  redirect((await viewer()) ? '/dashboard' : '/login');
}
