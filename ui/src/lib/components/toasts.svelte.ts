export interface Toast {
  id: number;
  text: string;
  tone: 'ok' | 'error';
}

/** Short confirmations of finished actions ("Revoked Production server"). */
export class Toasts {
  items = $state<Toast[]>([]);
  private next = 1;

  constructor(private readonly lifetimeMs = 5000) {}

  show(text: string, tone: Toast['tone'] = 'ok'): void {
    const id = this.next++;
    this.items.push({ id, text, tone });
    setTimeout(() => this.dismiss(id), this.lifetimeMs);
  }

  dismiss(id: number): void {
    this.items = this.items.filter((t) => t.id !== id);
  }
}
