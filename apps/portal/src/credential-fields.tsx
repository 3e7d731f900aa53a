/** Email and password inputs, labelled for people and for password managers (`newPassword` on registration). */
export function CredentialFields({ newPassword = false }: { newPassword?: boolean }) {
  return (
    <>
      <label>
        Email
        <input name="email" type="email" autoComplete="email" required />
      </label>
      <label>
        Password
        <input name="password" type="password" autoComplete={newPassword ? 'new-password' : 'current-password'} required />
      </label>
    </>
  );
}
