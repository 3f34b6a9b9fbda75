import { isRedisUnavailable } from '../../src/store/availability';

function named(name: string, message: string): Error {
  const err = new Error(message);
  err.name = name;
  return err;
}

describe('isRedisUnavailable', () => {
  it.each(['MaxRetriesPerRequestError', 'ClusterAllFailedError'])(
    "recognises ioredis's %s by name",
    (name) => {
      expect(isRedisUnavailable(named(name, 'anything'))).toBe(true);
    },
  );

  it.each([
    'Connection is closed.',
    'Command timed out',
    "Stream isn't writeable and enableOfflineQueue options is false",
    'connect ECONNREFUSED 127.0.0.1:6379',
    'connect ETIMEDOUT',
    'read ECONNRESET',
    'Reached the max retries per request limit (which is 20). Refer to "maxRetriesPerRequest" option for details.',
    'LOADING Redis is loading the dataset in memory',
    'CLUSTERDOWN The cluster is down',
    'TRYAGAIN Multiple keys request during rehashing of slot',
    'Too many Cluster redirections. Last error: ReplyError: MOVED 14440 127.0.0.1:42775',
    'Failed to refresh slots cache.',
  ])('recognises the Redis outage %p', (message) => {
    expect(isRedisUnavailable(new Error(message))).toBe(true);
  });

  it.each([
    ['a plain bug', new Error('boom')],
    ['a type error', new TypeError("Cannot read properties of undefined (reading 'id')")],
    [
      'a Redis reply error',
      named('ReplyError', 'WRONGTYPE Operation against a key holding the wrong kind of value'),
    ],
    ['a script error', named('ReplyError', 'NOSCRIPT No matching script. Please use EVAL.')],
    [
      'a script touching keys of two slots (a bug here, not an outage)',
      named('ReplyError', "CROSSSLOT Keys in request don't hash to the same slot"),
    ],
  ])('does not mistake %s for an outage', (_label, err) => {
    expect(isRedisUnavailable(err)).toBe(false);
  });

  it.each([
    ['null', null],
    ['a string', 'ECONNREFUSED'],
    [
      'an error-shaped object',
      { name: 'MaxRetriesPerRequestError', message: 'Connection is closed.' },
    ],
  ])('answers false for %s, which is not an Error', (_label, value) => {
    expect(isRedisUnavailable(value)).toBe(false);
  });

  // Redis's own error starts with "LOADING " in capitals; a bug whose message mentions
  // "loading" must stay a 500 with its stack in the log, not become a 503.
  it('does not mistake a bug mentioning "loading" for an outage', () => {
    const err = new TypeError("Cannot read properties of undefined (reading 'loading')");
    expect(isRedisUnavailable(err)).toBe(false);
  });
});
