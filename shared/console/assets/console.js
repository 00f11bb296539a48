/**
 * The supplier console: plain JavaScript in the browser, talking only to the gateway's public API with the
 * supplier's API key. The key lives in this tab's sessionStorage and travels only in the Authorization header:
 * never in a URL, a cookie or a log. Everything shown is built with DOM nodes and text, never parsed as HTML.
 */
const KEY_ITEM = 'concur-gateway.apiKey';

const elements = {
  nav: document.getElementById('console-nav'),
  signIn: document.getElementById('sign-in'),
  signInForm: document.getElementById('sign-in-form'),
  apiKey: document.getElementById('api-key'),
  signOut: document.getElementById('sign-out'),
  alert: document.getElementById('alert'),
  testMode: document.getElementById('test-mode'),
  view: document.getElementById('view'),
};

/** An element with attributes (`on…` become listeners) and children (strings become text). */
function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === false) continue;
    if (name.startsWith('on')) element.addEventListener(name.slice(2), value);
    else if (value === true) element.setAttribute(name, '');
    else element.setAttribute(name, String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    element.append(typeof child === 'string' || typeof child === 'number' ? String(child) : child);
  }
  return element;
}

const storedKey = () => sessionStorage.getItem(KEY_ITEM);

class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.title ?? `HTTP ${status}`);
    this.status = status;
    this.problem = problem ?? {};
  }
}

/** A call of the public API with the key; a refusal becomes an ApiError carrying the problem+json. */
async function callApi(path, { method = 'GET', body, key = storedKey() } = {}) {
  const response = await fetch(path, {
    method,
    headers: {
      accept: 'application/json',
      authorization: `Bearer ${key}`,
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(body !== undefined ? { body } : {}),
    cache: 'no-store',
    credentials: 'omit',
    referrerPolicy: 'no-referrer',
  });
  const text = await response.text();
  let parsed;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = { title: text.slice(0, 200) };
  }
  if (!response.ok) throw new ApiError(response.status, parsed);
  // Every answer to a key says its mode: a test key's (livemode false) shows the test-mode banner.
  if (typeof parsed?.livemode === 'boolean') elements.testMode.hidden = parsed.livemode;
  return parsed;
}

function showAlert(message) {
  elements.alert.textContent = message;
}

function clearAlert() {
  elements.alert.textContent = '';
}

const describeProblem = (error) => {
  if (!(error instanceof ApiError)) return `The gateway could not be reached: ${error.message}`;
  const { title, detail } = error.problem;
  return `${error.status} ${title ?? 'Error'}${detail ? `: ${detail}` : ''}`;
};

/** A refused key ends the session: its data goes, the sign-in form comes back with the refusal. */
function handleFailure(error) {
  if (error instanceof ApiError && (error.status === 401 || error.status === 403) && !error.problem.errors) {
    signOut();
    showAlert(`Your API key was refused. ${describeProblem(error)}`);
    return;
  }
  showAlert(describeProblem(error));
}

function signOut() {
  sessionStorage.removeItem(KEY_ITEM);
  elements.view.replaceChildren();
  elements.nav.hidden = true;
  elements.testMode.hidden = true;
  elements.signIn.hidden = false;
  clearAlert();
  if (location.hash) history.replaceState(null, '', location.pathname);
  elements.apiKey.focus();
}

async function signIn(event) {
  event.preventDefault();
  const key = elements.apiKey.value.trim();
  clearAlert();
  if (!key) {
    showAlert('Enter your API key.');
    return;
  }
  try {
    // Any authenticated read proves the key; nothing is shown until it is accepted.
    await callApi('/v1/bookings?limit=1', { key });
  } catch (error) {
    elements.apiKey.value = '';
    showAlert(`Sign-in refused. ${describeProblem(error)}`);
    return;
  }
  elements.apiKey.value = '';
  sessionStorage.setItem(KEY_ITEM, key);
  if (location.hash.startsWith('#/')) route();
  else location.hash = '#/bookings';
}

const formatTime = (iso) => {
  const date = new Date(iso);
  return Number.isNaN(date.getTime())
    ? iso
    : date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
};

const timeElement = (iso) => h('time', { datetime: iso }, formatTime(iso));

/** The view's heading, focused so that keyboard and screen reader users start at the new view. */
const heading = (text) => h('h2', { tabindex: '-1', id: 'view-heading' }, text);

/** A table that scrolls sideways on a narrow screen, reachable by keyboard. */
function table(label, columns, rows) {
  return h(
    'div',
    { class: 'table-scroll', role: 'region', 'aria-label': label, tabindex: '0' },
    h(
      'table',
      {},
      h('caption', {}, label),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          columns.map((column) => h('th', { scope: 'col' }, column)),
        ),
      ),
      h('tbody', {}, rows),
    ),
  );
}

/** Previous/next buttons over a cursor-paged listing. */
function pager(state, nextCursor, reload) {
  const previous = h(
    'button',
    {
      type: 'button',
      disabled: state.cursors.length === 0,
      onclick: () => {
        state.cursors.pop();
        reload();
      },
    },
    'Previous page',
  );
  const next = h(
    'button',
    {
      type: 'button',
      disabled: !nextCursor,
      onclick: () => {
        state.cursors.push(nextCursor);
        reload();
      },
    },
    'Next page',
  );
  return h('div', { class: 'pager' }, previous, next);
}

const query = (values) => {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(values)) if (value) params.set(name, value);
  const text = params.toString();
  return text ? `?${text}` : '';
};

const bookingsState = { search: '', status: '', cursors: [] };

async function showBookings() {
  const state = bookingsState;
  const search = h('input', {
    id: 'search',
    type: 'search',
    value: state.search,
    autocomplete: 'off',
    spellcheck: 'false',
  });
  const status = h(
    'select',
    { id: 'status-filter' },
    ['', 'active', 'cancelled', 'rebooking'].map((value) =>
      h('option', { value, selected: value === state.status }, value || 'Any status'),
    ),
  );
  const results = h('div', { 'aria-live': 'polite' });
  const load = async () => {
    const cursor = state.cursors.at(-1);
    results.replaceChildren(h('p', {}, 'Loading…'));
    let page;
    try {
      page = await callApi(
        `/v1/bookings${query({ confirmationNumber: state.search, status: state.status, limit: '25', cursor })}`,
      );
    } catch (error) {
      results.replaceChildren();
      handleFailure(error);
      return;
    }
    const rows = page.bookings.map((booking) =>
      h(
        'tr',
        {},
        h(
          'td',
          {},
          h(
            'a',
            { href: bookingHref(booking.companyId, booking.confirmationNumber) },
            booking.confirmationNumber,
          ),
        ),
        h('td', {}, h('span', { class: `status status-${booking.status}` }, booking.status)),
        h('td', {}, booking.companyId),
        h('td', {}, booking.tripId ?? '—'),
        h('td', {}, timeElement(booking.updatedAt)),
      ),
    );
    results.replaceChildren(
      rows.length
        ? table('Your bookings', ['Confirmation number', 'Status', 'Company', 'Trip', 'Last change'], rows)
        : h('p', {}, 'No bookings match.'),
      pager(state, page.nextCursor, load),
    );
  };
  const form = h(
    'form',
    {
      role: 'search',
      class: 'filters',
      onsubmit: (event) => {
        event.preventDefault();
        state.search = search.value.trim();
        state.status = status.value;
        state.cursors = [];
        load();
      },
    },
    h('div', { class: 'field' }, h('label', { for: 'search' }, 'Search'), search),
    h('div', { class: 'field' }, h('label', { for: 'status-filter' }, 'Status'), status),
    h('button', { type: 'submit' }, 'Find'),
  );
  status.addEventListener('change', () => form.requestSubmit());
  render(
    heading('Bookings'),
    h(
      'p',
      { class: 'hint' },
      'Your bookings, the most recently changed first. Search finds confirmation numbers starting with what you type.',
    ),
    form,
    results,
  );
  await load();
}

const bookingHref = (companyId, confirmationNumber) =>
  `#/bookings/${encodeURIComponent(companyId)}/${encodeURIComponent(confirmationNumber)}`;

const ACTIONS = {
  created: 'Created',
  updated: 'Updated',
  rebooked: 'Rebooked (replacing the previous booking)',
  'rebook-completed': 'Rebooking completed',
  'rebook-failed': 'Rebooking step failed',
  replaced: 'Cancelled as replaced by a rebooking',
  cancelled: 'Cancelled',
  'version-moved': 'Cancel repeated with a newer version',
  'trip-replaced': 'Dropped by a trip replace',
  'trip-cancelled': 'Cancelled with its trip',
};

function actorText(actor) {
  if (!actor) return 'by the gateway';
  if (actor.kind === 'api') return `by API request ${actor.requestId}`;
  const what = actor.trigger === 'api' ? 'asynchronous request' : `${actor.trigger} event ${actor.eventId}`;
  return `by operation ${actor.operationId} (${what})`;
}

function timelineItem(entry) {
  return h(
    'li',
    {},
    h('div', { class: 'when' }, timeElement(entry.at)),
    h(
      'div',
      { class: 'what' },
      h('strong', {}, ACTIONS[entry.action] ?? entry.action),
      ` — status ${entry.status}, version ${entry.version}`,
    ),
    h('div', { class: 'who' }, actorText(entry.actor)),
    entry.concur
      ? h(
          'div',
          { class: 'concur' },
          `Concur: ${entry.concur.status}`,
          entry.concur.correlationId ? `, correlation id ${entry.concur.correlationId}` : '',
        )
      : undefined,
    entry.error ? h('div', { class: 'error' }, entry.error) : undefined,
  );
}

async function showBooking(companyId, confirmationNumber) {
  const path = `/v1/companies/${encodeURIComponent(companyId)}/bookings/${encodeURIComponent(confirmationNumber)}`;
  let booking;
  let history;
  try {
    [{ booking }, history] = await Promise.all([callApi(path), callApi(`${path}/history`)]);
  } catch (error) {
    render(h('p', {}, h('a', { href: '#/bookings' }, 'All bookings')));
    handleFailure(error);
    return;
  }
  const fields = [
    ['Company', booking.companyId],
    ['Status', booking.status],
    ['Record locator', booking.recordLocator],
    ['Trip', booking.tripId],
    ['Traveler', booking.traveler?.loginId],
    ['Version', booking.version],
    ['dateModifiedUtc', booking.dateModifiedUtc],
    ['Created', booking.createdAt && formatTime(booking.createdAt)],
    ['Last change', booking.updatedAt && formatTime(booking.updatedAt)],
    ['Replaces', booking.previousConfirmationNumber],
    ['Replaced by', booking.replacedByConfirmationNumber],
    ['Pending step', booking.pendingStep],
    ['Last error', booking.lastError],
  ].filter(([, value]) => value !== undefined && value !== '');
  const list = h('ol', { class: 'timeline' }, history.history.map(timelineItem));
  const older = h('div', { class: 'pager' });
  const addOlder = (cursor) => {
    older.replaceChildren();
    if (!cursor) return;
    older.append(
      h(
        'button',
        {
          type: 'button',
          onclick: async () => {
            try {
              const page = await callApi(`${path}/history${query({ cursor })}`);
              list.append(...page.history.map(timelineItem));
              addOlder(page.nextCursor);
            } catch (error) {
              handleFailure(error);
            }
          },
        },
        'Older changes',
      ),
    );
  };
  addOlder(history.nextCursor);
  render(
    h('p', {}, h('a', { href: '#/bookings' }, 'All bookings')),
    heading(booking.confirmationNumber),
    h(
      'dl',
      { class: 'mapping' },
      fields.flatMap(([name, value]) => [h('dt', {}, name), h('dd', {}, String(value))]),
    ),
    h(
      'section',
      { 'aria-labelledby': 'timeline-heading', class: 'timeline-section' },
      h('h3', { id: 'timeline-heading' }, 'Timeline'),
      history.history.length ? list : h('p', {}, 'No changes recorded in the last 90 days.'),
      older,
    ),
  );
}

const operationsState = { status: '', cursors: [] };

function problemCell(operation) {
  const problem = operation.problem;
  if (!problem) return '—';
  return h(
    'div',
    { class: 'problem' },
    h('strong', {}, problem.title ?? problem.type),
    problem.detail ? h('div', {}, problem.detail) : undefined,
    problem.errors?.length
      ? h(
          'ul',
          {},
          problem.errors.map((field) =>
            h('li', {}, h('code', {}, field.path || '(body)'), ` ${field.message}`),
          ),
        )
      : undefined,
  );
}

async function showOperations() {
  const state = operationsState;
  const status = h(
    'select',
    { id: 'operation-status' },
    ['', 'accepted', 'processing', 'succeeded', 'skipped', 'failed', 'parked'].map((value) =>
      h('option', { value, selected: value === state.status }, value || 'Any status'),
    ),
  );
  const results = h('div', { 'aria-live': 'polite' });
  const load = async () => {
    results.replaceChildren(h('p', {}, 'Loading…'));
    let page;
    try {
      page = await callApi(
        `/v1/operations${query({ status: state.status, limit: '25', cursor: state.cursors.at(-1) })}`,
      );
    } catch (error) {
      results.replaceChildren();
      handleFailure(error);
      return;
    }
    const rows = page.operations.map((operation) =>
      h(
        'tr',
        {},
        h('td', {}, h('code', {}, operation.id)),
        h('td', {}, operation.type),
        h('td', {}, h('span', { class: `status status-${operation.status}` }, operation.status)),
        h('td', {}, timeElement(operation.updatedAt)),
        h('td', {}, operation.attempts),
        h('td', {}, problemCell(operation)),
      ),
    );
    results.replaceChildren(
      rows.length
        ? table(
            'Your operations',
            ['Operation', 'Type', 'Status', 'Last change', 'Attempts', 'Problem'],
            rows,
          )
        : h('p', {}, 'No operations.'),
      pager(state, page.nextCursor, load),
    );
  };
  status.addEventListener('change', () => {
    state.status = status.value;
    state.cursors = [];
    load();
  });
  render(
    heading('Operations'),
    h(
      'p',
      { class: 'hint' },
      'Partner events and requests sent with Prefer: respond-async, the most recently changed first. A parked or failed one shows its problem.',
    ),
    h(
      'div',
      { class: 'filters' },
      h('div', { class: 'field' }, h('label', { for: 'operation-status' }, 'Status'), status),
    ),
    results,
  );
  await load();
}

/** The signing secret, shown once: after a create or a rotation, never again. */
function secretNotice(endpoint, what) {
  return h(
    'div',
    { class: 'secret', role: 'status' },
    h(
      'p',
      {},
      `${what} ${endpoint.id}. Its signing secret, shown only now: keep it to verify webhook-signature.`,
    ),
    h('code', { class: 'secret-value' }, endpoint.secret),
  );
}

const endpointPath = (id) => `/v1/webhook-endpoints/${encodeURIComponent(id)}`;

function deliveryAnswer(delivery) {
  if (delivery.status !== undefined) return `HTTP ${delivery.status}`;
  return delivery.error ?? 'no answer';
}

/** An endpoint's delivery attempts, newest first; a failed one can be sent again. */
async function showDeliveries(endpoint, container, notice) {
  const state = { cursors: [] };
  const load = async () => {
    container.replaceChildren(h('p', {}, 'Loading…'));
    let page;
    try {
      page = await callApi(
        `${endpointPath(endpoint.id)}/deliveries${query({ limit: '25', cursor: state.cursors.at(-1) })}`,
      );
    } catch (error) {
      container.replaceChildren();
      handleFailure(error);
      return;
    }
    const rows = page.deliveries.map((delivery) => {
      const delivered = delivery.status !== undefined && delivery.status >= 200 && delivery.status < 300;
      return h(
        'tr',
        {},
        h('td', {}, h('code', {}, delivery.messageId)),
        h('td', {}, delivery.eventType),
        h('td', {}, timeElement(delivery.attemptedAt)),
        h('td', {}, delivery.attempt),
        h('td', {}, deliveryAnswer(delivery)),
        h('td', {}, `${delivery.latencyMs} ms`),
        h(
          'td',
          {},
          delivered
            ? '—'
            : h(
                'button',
                {
                  type: 'button',
                  onclick: async () => {
                    // The API sends again every message that failed since a time: this attempt's.
                    try {
                      const { recovered } = await callApi(`${endpointPath(endpoint.id)}/recover`, {
                        method: 'POST',
                        body: JSON.stringify({ since: delivery.attemptedAt }),
                      });
                      notice.replaceChildren(
                        h(
                          'p',
                          { role: 'status' },
                          recovered === 0
                            ? 'Nothing to resend: the message is still being tried, or was delivered since.'
                            : `${recovered} failed message(s) since this attempt queued again.`,
                        ),
                      );
                    } catch (error) {
                      handleFailure(error);
                    }
                  },
                },
                'Resend',
              ),
        ),
      );
    });
    container.replaceChildren(
      h('h3', { id: 'deliveries-heading', tabindex: '-1' }, `Deliveries to ${endpoint.url}`),
      rows.length
        ? table('Deliveries', ['Message', 'Event', 'Attempted', 'Attempt', 'Answer', 'Time', 'Resend'], rows)
        : h('p', {}, 'No deliveries yet.'),
      h(
        'div',
        { class: 'pager' },
        h('button', { type: 'button', onclick: load }, 'Refresh deliveries'),
        pager(state, page.nextCursor, load),
      ),
    );
    document.getElementById('deliveries-heading')?.focus();
  };
  await load();
}

async function showWebhookEndpoints() {
  const url = h('input', {
    id: 'endpoint-url',
    type: 'url',
    required: true,
    autocomplete: 'off',
    spellcheck: 'false',
  });
  const notice = h('div', { 'aria-live': 'polite' });
  const list = h('div', { 'aria-live': 'polite' });
  const deliveries = h('section', { 'aria-label': 'Deliveries' });
  const act = async (work) => {
    clearAlert();
    try {
      await work();
    } catch (error) {
      handleFailure(error);
    }
  };
  const load = async () => {
    let page;
    try {
      page = await callApi('/v1/webhook-endpoints');
    } catch (error) {
      list.replaceChildren();
      handleFailure(error);
      return;
    }
    const rows = page.endpoints.map((endpoint) =>
      h(
        'tr',
        {},
        h(
          'td',
          {},
          h('code', {}, endpoint.url),
          endpoint.description ? h('div', {}, endpoint.description) : undefined,
        ),
        h(
          'td',
          {},
          h('span', { class: `status status-${endpoint.status}` }, endpoint.status),
          endpoint.failingSince
            ? h('div', {}, 'failing since ', timeElement(endpoint.failingSince))
            : undefined,
        ),
        h('td', {}, endpoint.eventTypes.length ? endpoint.eventTypes.join(', ') : 'every event'),
        h(
          'td',
          { class: 'actions' },
          h(
            'button',
            { type: 'button', onclick: () => act(() => showDeliveries(endpoint, deliveries, notice)) },
            'Deliveries',
          ),
          h(
            'button',
            {
              type: 'button',
              onclick: () =>
                act(async () => {
                  const { message } = await callApi(`${endpointPath(endpoint.id)}/test`, { method: 'POST' });
                  notice.replaceChildren(
                    h('p', { role: 'status' }, `Test event ${message.id} queued for ${endpoint.url}.`),
                  );
                }),
            },
            'Send test event',
          ),
          h(
            'button',
            {
              type: 'button',
              onclick: () =>
                act(async () => {
                  const answer = await callApi(`${endpointPath(endpoint.id)}/rotate-secret`, {
                    method: 'POST',
                    body: '{}',
                  });
                  notice.replaceChildren(secretNotice(answer.endpoint, 'New secret of'));
                }),
            },
            'Rotate secret',
          ),
          h(
            'button',
            {
              type: 'button',
              onclick: () =>
                act(async () => {
                  if (!window.confirm(`Delete the endpoint ${endpoint.url}? It receives nothing more.`))
                    return;
                  await callApi(endpointPath(endpoint.id), { method: 'DELETE' });
                  notice.replaceChildren(h('p', { role: 'status' }, `Endpoint ${endpoint.url} deleted.`));
                  deliveries.replaceChildren();
                  await load();
                }),
            },
            'Delete',
          ),
        ),
      ),
    );
    list.replaceChildren(
      rows.length
        ? table('Your webhook endpoints', ['URL', 'Status', 'Events', 'Actions'], rows)
        : h('p', {}, 'No webhook endpoints yet.'),
    );
  };
  const add = (event) => {
    event.preventDefault();
    act(async () => {
      const answer = await callApi('/v1/webhook-endpoints', {
        method: 'POST',
        body: JSON.stringify({ url: url.value.trim() }),
      });
      url.value = '';
      notice.replaceChildren(secretNotice(answer.endpoint, 'Endpoint added:'));
      await load();
    }).then(() => undefined);
  };
  render(
    heading('Webhook endpoints'),
    h(
      'p',
      { class: 'hint' },
      'Where the gateway sends you signed events (Standard Webhooks) when an operation of yours ends. An endpoint’s signing secret is shown once, when it is added or rotated.',
    ),
    h(
      'form',
      { class: 'filters', onsubmit: add },
      h('div', { class: 'field' }, h('label', { for: 'endpoint-url' }, 'URL'), url),
      h('button', { type: 'submit' }, 'Add endpoint'),
    ),
    notice,
    list,
    deliveries,
  );
  await load();
}

const EXAMPLE_BOOKING = {
  booking: {
    segments: [
      {
        kind: 'car',
        vendor: 'ZE',
        confirmationNumber: 'TRY-1',
        startDateLocal: '2027-03-21T12:00:00',
        endDateLocal: '2027-03-23T12:00:00',
        startCityCode: 'SEA',
        endCityCode: 'SEA',
      },
    ],
    passengers: [{ nameFirst: 'Chris', nameLast: 'Miller' }],
  },
  traveler: { loginId: 'cm@example.com' },
};

/** Selects the field a problem names in the body, as near as the text allows: its last key, else its parent's. */
function pointAt(textarea, path) {
  const keys = path.split(/[.[\]]/).filter((key) => key && !/^\d+$/.test(key));
  textarea.focus();
  for (const key of keys.reverse()) {
    const at = textarea.value.indexOf(`"${key}"`);
    if (at >= 0) {
      textarea.setSelectionRange(at, at + key.length + 2);
      return;
    }
  }
  textarea.setSelectionRange(0, 0);
}

function showTryIt() {
  const body = h('textarea', { id: 'request-body', rows: '16', spellcheck: 'false' });
  body.value = JSON.stringify(EXAMPLE_BOOKING, null, 2);
  const confirmationNumber = h('input', { id: 'try-confirmation', value: 'TRY-1', autocomplete: 'off' });
  const output = h('div', { 'aria-live': 'polite' });
  const translate = async (event) => {
    event.preventDefault();
    output.replaceChildren(h('p', {}, 'Translating…'));
    clearAlert();
    try {
      const answer = await callApi(
        `/v1/translate/booking${query({ confirmationNumber: confirmationNumber.value.trim() })}`,
        {
          method: 'POST',
          body: body.value,
        },
      );
      output.replaceChildren(
        h('h3', { id: 'xml-heading' }, 'The XML the write would post'),
        h('pre', { class: 'xml', tabindex: '0', 'aria-labelledby': 'xml-heading' }, answer.xml),
      );
    } catch (error) {
      const fields = error instanceof ApiError ? (error.problem.errors ?? []) : [];
      output.replaceChildren(
        h('h3', {}, 'Problems'),
        h('p', {}, describeProblem(error)),
        fields.length
          ? h(
              'ul',
              { class: 'problems' },
              fields.map((field) =>
                h(
                  'li',
                  {},
                  h(
                    'button',
                    { type: 'button', class: 'link', onclick: () => pointAt(body, field.path) },
                    field.path || '(body)',
                  ),
                  ` ${field.message}`,
                ),
              ),
            )
          : undefined,
      );
      if (!fields.length) handleFailure(error);
    }
  };
  render(
    heading('Try it'),
    h(
      'p',
      { class: 'hint' },
      'A dry run of the booking PUT: the same body, defaults and refusals, and the Concur XML it would post. Nothing is sent to Concur.',
    ),
    h(
      'form',
      { onsubmit: translate, class: 'try-it' },
      h(
        'div',
        { class: 'field' },
        h('label', { for: 'try-confirmation' }, 'Confirmation number'),
        confirmationNumber,
      ),
      h('div', { class: 'field' }, h('label', { for: 'request-body' }, 'Request body'), body),
      h('button', { type: 'submit' }, 'Translate'),
    ),
    output,
  );
}

function render(...children) {
  elements.view.replaceChildren(...children.filter(Boolean));
  document.getElementById('view-heading')?.focus();
}

function markCurrent(section) {
  for (const link of elements.nav.querySelectorAll('a')) {
    if (link.getAttribute('href') === `#/${section}`) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
}

function route() {
  if (!storedKey()) {
    elements.nav.hidden = true;
    elements.signIn.hidden = false;
    elements.view.replaceChildren();
    return;
  }
  elements.signIn.hidden = true;
  elements.nav.hidden = false;
  clearAlert();
  const [section, ...rest] = location.hash.replace(/^#\/?/, '').split('/');
  markCurrent(section || 'bookings');
  if (section === 'bookings' && rest.length === 2)
    showBooking(decodeURIComponent(rest[0]), decodeURIComponent(rest[1]));
  else if (section === 'operations') showOperations();
  else if (section === 'webhook-endpoints') showWebhookEndpoints();
  else if (section === 'try') showTryIt();
  else showBookings();
}

elements.signInForm.addEventListener('submit', signIn);
elements.signOut.addEventListener('click', signOut);
window.addEventListener('hashchange', route);
route();
