import { parseAssistants, parseSchedulers, parseUser } from '../../src/zoom/api';
import { ZoomApiError } from '../../src/zoom/errors';

function thrown(fn: () => unknown): ZoomApiError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ZoomApiError) return err;
    throw err;
  }
  throw new Error('did not throw');
}

describe('parseUser', () => {
  const me = {
    id: 'KDcuGIm1QgePTO8WbOqwIQ',
    first_name: 'Jill',
    last_name: 'Chill',
    display_name: 'Jill Chill (she/her)',
    email: 'jchill@example.com',
    type: 2,
    pmi: 3542471135,
    timezone: 'Asia/Shanghai',
    account_id: 'q6gBJVO5TzexKYTb_I2rpg',
    status: 'active',
  };

  it("reads Zoom's GET /users/me body", () => {
    expect(parseUser(me)).toEqual({
      id: 'KDcuGIm1QgePTO8WbOqwIQ',
      email: 'jchill@example.com',
      displayName: 'Jill Chill (she/her)',
      timezone: 'Asia/Shanghai',
      accountId: 'q6gBJVO5TzexKYTb_I2rpg',
    });
  });

  it('falls back to first and last name without a display name', () => {
    expect(parseUser({ ...me, display_name: undefined }).displayName).toBe('Jill Chill');
    expect(parseUser({ ...me, display_name: '', last_name: undefined }).displayName).toBe('Jill');
  });

  it('falls back to the email, then the id, without any name', () => {
    const nameless = { id: me.id, email: me.email };
    expect(parseUser(nameless).displayName).toBe('jchill@example.com');
    expect(parseUser({ id: me.id })).toEqual({
      id: me.id,
      email: '',
      displayName: me.id,
      timezone: null,
      accountId: null,
    });
  });

  it.each([
    ['null', null],
    ['a string', 'me'],
    ['an object without id', { email: 'a@b.c' }],
    ['an object with an empty id', { id: '' }],
    ['an object with a numeric id', { id: 42 }],
  ])('rejects %s as unexpected', (_label, body) => {
    expect(thrown(() => parseUser(body))).toMatchObject({ kind: 'unexpected', status: 200 });
  });
});

describe('parseAssistants', () => {
  it("reads Zoom's GET /users/me/assistants body", () => {
    const body = {
      assistants: [
        {
          id: 'KDcuGIm1QgePTO8WbOqwIQ',
          email: 'jchill@example.com',
          can_manage_host_private_event: true,
        },
        { id: 'z8yBXksxRxKC0MYGrz-aFw', email: 'bob@example.com' },
      ],
    };
    expect(parseAssistants(body)).toEqual([
      { id: 'KDcuGIm1QgePTO8WbOqwIQ', email: 'jchill@example.com', canManagePrivateEvents: true },
      { id: 'z8yBXksxRxKC0MYGrz-aFw', email: 'bob@example.com', canManagePrivateEvents: false },
    ]);
  });

  it('answers [] when Zoom omits the list', () => {
    expect(parseAssistants({})).toEqual([]);
    expect(parseAssistants({ assistants: null })).toEqual([]);
    expect(parseAssistants({ assistants: [] })).toEqual([]);
  });

  it('skips items without a usable id', () => {
    const body = {
      assistants: [
        { email: 'no-id@example.com' },
        { id: '', email: 'empty@example.com' },
        { id: 7, email: 'number@example.com' },
        null,
        'KDcuGIm1QgePTO8WbOqwIQ',
        { id: 'keepMe', email: 'kept@example.com' },
      ],
    };
    expect(parseAssistants(body)).toEqual([
      { id: 'keepMe', email: 'kept@example.com', canManagePrivateEvents: false },
    ]);
  });

  it('shows "(no email)" for an assistant without an email', () => {
    expect(parseAssistants({ assistants: [{ id: 'abc' }] })).toEqual([
      { id: 'abc', email: '(no email)', canManagePrivateEvents: false },
    ]);
  });

  it('keeps can_manage_host_private_event only when it is true', () => {
    const flags = [true, false, 'true', 1, null].map(
      (v) => parseAssistants({ assistants: [{ id: 'a', can_manage_host_private_event: v }] })[0],
    );
    expect(flags.map((a) => a?.canManagePrivateEvents)).toEqual([true, false, false, false, false]);
  });

  it.each([
    ['a string', { assistants: 'KDcuGIm1QgePTO8WbOqwIQ' }],
    ['an object', { assistants: { id: 'x' } }],
    ['a number', { assistants: 1 }],
  ])('rejects assistants that is %s as unexpected', (_label, body) => {
    expect(thrown(() => parseAssistants(body))).toMatchObject({ kind: 'unexpected', status: 200 });
  });

  it.each([
    ['null', null],
    ['a string', '[]'],
  ])('rejects a body that is %s as unexpected', (_label, body) => {
    expect(thrown(() => parseAssistants(body)).kind).toBe('unexpected');
  });
});

describe('parseSchedulers', () => {
  it("reads Zoom's GET /users/me/schedulers body (pmi and paging fields ignored)", () => {
    const body = {
      schedulers: [
        { id: 'cBbg3HostSchdlr000003C', email: 'charles.host@example.com', pmi: 3815553131 },
        { id: 'noEmail' },
        { email: 'no-id@example.com' },
        'junk',
      ],
      page_size: 30,
      total_records: 4,
    };
    expect(parseSchedulers(body)).toEqual([
      { id: 'cBbg3HostSchdlr000003C', email: 'charles.host@example.com' },
      { id: 'noEmail', email: '(no email)' },
    ]);
  });

  it('answers [] when Zoom omits the list', () => {
    expect(parseSchedulers({})).toEqual([]);
    expect(parseSchedulers({ schedulers: null })).toEqual([]);
  });

  it.each([
    ['null', null],
    ['a list that is not one', { schedulers: 'x' }],
  ])('rejects %s as unexpected', (_label, body) => {
    expect(thrown(() => parseSchedulers(body)).kind).toBe('unexpected');
  });
});
