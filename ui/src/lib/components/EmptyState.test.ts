import { render, screen } from '@testing-library/svelte';
import { createRawSnippet } from 'svelte';
import EmptyState from './EmptyState.svelte';

describe('EmptyState', () => {
  it('names the state as a heading and says what to do', () => {
    render(EmptyState, { title: 'No keys yet', body: 'Create the first key.' });

    expect(screen.getByRole('heading', { name: 'No keys yet' })).toBeInTheDocument();
    expect(screen.getByText('Create the first key.')).toBeInTheDocument();
    expect(screen.getByRole('region', { name: 'No keys yet' })).toBeInTheDocument();
  });

  it('renders the actions it is given, and none otherwise', () => {
    const actions = createRawSnippet(() => ({ render: () => '<button>New key</button>' }));
    const { unmount } = render(EmptyState, { title: 'No keys yet', body: 'x', actions });
    expect(screen.getByRole('button', { name: 'New key' })).toBeInTheDocument();
    unmount();

    render(EmptyState, { title: 'No keys yet', body: 'x' });
    expect(screen.queryByRole('button')).not.toBeInTheDocument();
  });
});
