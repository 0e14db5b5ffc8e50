/**
 * A registry of named factories (schemes, detectors): the built-ins are
 * registered the same way an own one is. Names are lower-case letters, digits
 * and dashes; they are listed in registration order (built-ins first).
 */
export class Registry<F> {
  private readonly byName = new Map<string, F>();

  constructor(private readonly what: string) {}

  register(name: string, factory: F): void {
    if (!/^[a-z0-9][a-z0-9-]*$/.test(name)) throw new Error(`${this.what} name '${name}' must be lower-case letters, digits and dashes`);
    this.byName.set(name, factory);
  }

  names(): string[] {
    return [...this.byName.keys()];
  }

  /** The factory of `name`; throws a one-line Error naming the registered ones. */
  get(name: string): F {
    const f = this.byName.get(name);
    if (!f) throw new Error(`unknown ${this.what} '${name}' (registered: ${this.names().join(', ')})`);
    return f;
  }
}
