import { fireEvent, render, screen } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { createRawSnippet } from 'svelte';
import ConfirmDialog from './ConfirmDialog.svelte';
import Dialog from './Dialog.svelte';

const body = createRawSnippet(() => ({ render: () => '<div><input aria-label="First"><button>Second</button></div>' }));

describe('Dialog', () => {
  it('is a labelled modal that closes on Esc and outside clicks when dismissable', async () => {
    const user = userEvent.setup();
    const onclose = vi.fn();
    render(Dialog, { title: 'Settings', onclose, children: body });
    const dialog = screen.getByRole('dialog', { name: 'Settings' });
    expect(dialog).toHaveAttribute('aria-modal', 'true');
    expect(screen.getByRole('textbox', { name: 'First' })).toHaveFocus();

    await user.keyboard('{Escape}');
    await user.click(screen.getByTestId('dialog-backdrop'));
    expect(onclose).toHaveBeenCalledTimes(2);
    await user.click(dialog);
    expect(onclose).toHaveBeenCalledTimes(2);
  });

  it('still closes on Esc when focus has dropped out of it', async () => {
    const user = userEvent.setup();
    const onclose = vi.fn();
    render(Dialog, { title: 'Lost focus', onclose, children: body });
    (document.activeElement as HTMLElement).blur();
    expect(document.body).toHaveFocus();
    await user.keyboard('{Escape}');
    expect(onclose).toHaveBeenCalledOnce();
  });

  it('stays open when a press starts inside and ends on the backdrop', async () => {
    const onclose = vi.fn();
    render(Dialog, { title: 'Drag', onclose, children: body });
    await fireEvent.mouseDown(screen.getByRole('textbox', { name: 'First' }));
    await fireEvent.click(screen.getByTestId('dialog-backdrop'));
    expect(onclose).not.toHaveBeenCalled();
  });

  it('keeps Tab inside and gives focus back to where it was on close', async () => {
    const user = userEvent.setup();
    const opener = document.createElement('button');
    document.body.append(opener);
    opener.focus();
    const { unmount } = render(Dialog, { title: 'Trap', children: body });

    await user.tab();
    expect(screen.getByRole('button', { name: 'Second' })).toHaveFocus();
    await user.tab();
    expect(screen.getByRole('textbox', { name: 'First' })).toHaveFocus();
    await user.tab({ shift: true });
    expect(screen.getByRole('button', { name: 'Second' })).toHaveFocus();

    unmount();
    expect(opener).toHaveFocus();
    opener.remove();
  });

  it('gives focus to the last home on the page when nothing had it or its opener is gone, not to <body>', async () => {
    const homes = [document.createElement('div'), document.createElement('div')];
    for (const home of homes) {
      home.tabIndex = -1;
      home.dataset.focusHome = '';
      document.body.append(home);
    }
    (document.activeElement as HTMLElement).blur();
    const first = render(Dialog, { title: 'From nothing', children: body });
    first.unmount();
    await vi.waitFor(() => expect(homes[1]).toHaveFocus());

    const opener = document.createElement('button');
    document.body.append(opener);
    opener.focus();
    const second = render(Dialog, { title: 'From a button', children: body });
    opener.remove();
    second.unmount();
    await vi.waitFor(() => expect(homes[1]).toHaveFocus());
    for (const home of homes) home.remove();
  });
});

describe('ConfirmDialog', () => {
  const what = createRawSnippet(() => ({ render: () => '<p>Requests will fail.</p>' }));

  it('starts on Cancel for plain confirmations, so Enter does not destroy', () => {
    render(ConfirmDialog, { title: 'Revoke CI?', confirmLabel: 'Revoke', onconfirm: vi.fn(), oncancel: vi.fn(), children: what });
    expect(screen.getByRole('button', { name: 'Cancel' })).toHaveFocus();
  });

  it('needs the exact text typed, case and all', async () => {
    const user = userEvent.setup();
    const onconfirm = vi.fn();
    render(ConfirmDialog, {
      title: 'Delete Prod?',
      confirmLabel: 'Delete',
      typedConfirmation: 'Prod',
      onconfirm,
      oncancel: vi.fn(),
      children: what,
    });
    const input = screen.getByRole('textbox', { name: /Type Prod to confirm/ });
    expect(input).toHaveFocus();
    await user.type(input, 'prod{Enter}');
    expect(onconfirm).not.toHaveBeenCalled();
    await user.clear(input);
    await user.type(input, 'Prod{Enter}');
    expect(onconfirm).toHaveBeenCalledOnce();
  });
});
