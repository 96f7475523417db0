import { useState } from 'react';
import { api } from '../api';
import { useI18n } from '../i18n';
import type { Session } from '../session';
import { CopyButton, ErrorText, ListTable, States, copy, errorText, useLoad } from '../util';

type Kind = 'hub' | 'dps';
const ARM = {
  hub: { collection: 'IotHubs', keys: 'IotHubKeys', version: '2023-06-30', route: 'hubs' },
  dps: { collection: 'provisioningServices', keys: 'keys', version: '2022-02-05', route: 'dps' },
} as const;

interface Resource {
  name: string;
  location: string;
  etag: string;
  resourcegroup: string;
  sku: { name: string; capacity: number };
  tags: Record<string, string>;
  properties: { hostName?: string; serviceOperationsHostName?: string; idScope?: string; state?: string };
}
interface Policy {
  keyName: string;
  rights: string;
  primaryKey: string;
  secondaryKey: string;
}

const sub = (s: Session) => `/subscriptions/${encodeURIComponent(s.tenantId)}`;
const one = (s: Session, kind: Kind, group: string, name: string) =>
  `${sub(s)}/resourceGroups/${encodeURIComponent(group)}/providers/Microsoft.Devices/${ARM[kind].collection}/${encodeURIComponent(name)}`;
const v = (kind: Kind) => `api-version=${ARM[kind].version}`;

export function Resources({ session }: { session: Session }) {
  const { t } = useI18n();
  const list = (kind: Kind) => () =>
    api<{ value: Resource[] }>('GET', `${sub(session)}/providers/Microsoft.Devices/${ARM[kind].collection}?${v(kind)}`).then(
      (r) => r.value,
    );
  const hubs = useLoad(list('hub'), `hub:${session.tenantId}`);
  const dps = useLoad(list('dps'), `dps:${session.tenantId}`);
  const table = (kind: Kind, r: typeof hubs, title: string, empty: string) => (
    <section>
      <h2>{title}</h2>
      <States r={r} empty={empty}>
        {(items) => (
          <ListTable
            caption={title}
            columns={[t('res.col.name'), t('res.col.group'), t('res.col.location'), t('res.col.sku'), t('res.col.host')]}
          >
            {items.map((x) => (
              <tr key={x.name}>
                <th scope="row">
                  <a
                    href={`/console/${ARM[kind].route}/${encodeURIComponent(x.resourcegroup)}/${encodeURIComponent(x.name)}`}
                    onClick={(e) => {
                      e.preventDefault();
                      session.go(`${ARM[kind].route}/${encodeURIComponent(x.resourcegroup)}/${encodeURIComponent(x.name)}`);
                    }}
                  >
                    {x.name}
                  </a>
                </th>
                <td>{x.resourcegroup}</td>
                <td>{x.location}</td>
                <td>{x.sku.name}</td>
                <td>{x.properties.hostName ?? x.properties.serviceOperationsHostName}</td>
              </tr>
            ))}
          </ListTable>
        )}
      </States>
    </section>
  );
  return (
    <>
      <h1>{t('res.title')}</h1>
      {table('hub', hubs, t('res.hubs'), t('res.hubs.empty'))}
      {table('dps', dps, t('res.dps'), t('res.dps.empty'))}
    </>
  );
}

/**
 * A hub or DPS with its shared access policies. Keys stay on the server until "Reveal" (each a
 * listkeys call, audited); regenerate and swap are the ARM PUT with the policy set changed, as Azure's portal does.
 */
export function ResourcePage({ session, kind, group, name }: { session: Session; kind: Kind; group: string; name: string }) {
  const { t } = useI18n();
  const path = one(session, kind, group, name);
  const res = useLoad(() => api<Resource>('GET', `${path}?${v(kind)}`), `${path}`);
  // names and rights only: the keys of this answer are dropped at once
  const policies = useLoad(
    () =>
      api<{ value: Policy[] }>('POST', `${path}/listkeys?${v(kind)}`).then((r) =>
        r.value.map((p) => ({ keyName: p.keyName, rights: p.rights })),
      ),
    `${path}#policies`,
  );
  const [revealed, setRevealed] = useState<Record<string, Policy>>({});
  const [status, setStatus] = useState<{ policy: string; text: string; error: boolean } | null>(null);
  const host = res.data?.properties.hostName ?? res.data?.properties.serviceOperationsHostName ?? '';
  const keysOf = (keyName: string) => api<Policy>('POST', `${path}/${ARM[kind].keys}/${encodeURIComponent(keyName)}/listkeys?${v(kind)}`);
  const connection = (p: Policy) => `HostName=${host};SharedAccessKeyName=${p.keyName};SharedAccessKey=${p.primaryKey}`;
  const fail = (policy: string) => (e: unknown) => setStatus({ policy, text: errorText(e, t), error: true });

  /** The whole policy set with one policy's keys changed, PUT with If-Match so a concurrent change is not lost. */
  const change = async (keyName: string, how: 'primary' | 'secondary' | 'swap') => {
    const current = await api<Resource>('GET', `${path}?${v(kind)}`);
    const all = (await api<{ value: Policy[] }>('POST', `${path}/listkeys?${v(kind)}`)).value;
    const next = all.map((p) => {
      if (p.keyName !== keyName) return p;
      if (how === 'swap') return { ...p, primaryKey: p.secondaryKey, secondaryKey: p.primaryKey };
      // an empty key is generated by the server
      return how === 'primary' ? { ...p, primaryKey: '' } : { ...p, secondaryKey: '' };
    });
    await api(
      'PUT',
      `${path}?${v(kind)}`,
      { location: current.location, sku: current.sku, tags: current.tags, properties: { authorizationPolicies: next } },
      { 'if-match': current.etag },
    );
    setRevealed((r) => {
      const { [keyName]: _gone, ...rest } = r;
      return rest;
    });
    setStatus({ policy: keyName, text: t(how === 'swap' ? 'res.swapped' : 'res.regenerated', { policy: keyName }), error: false });
  };

  if (res.error) return <ErrorText error={res.error} />;
  return (
    <>
      <p>
        <a
          href="/console/"
          onClick={(e) => {
            e.preventDefault();
            session.go('');
          }}
        >
          {t('res.back')}
        </a>
      </p>
      <h1>{name}</h1>
      {res.data ? (
        <dl className="facts">
          <dt>{t('res.col.group')}</dt>
          <dd>{res.data.resourcegroup}</dd>
          <dt>{t('res.col.location')}</dt>
          <dd>{res.data.location}</dd>
          <dt>{t('res.col.sku')}</dt>
          <dd>{res.data.sku.name}</dd>
          <dt>{t('res.col.host')}</dt>
          <dd>{host}</dd>
          {res.data.properties.idScope ? (
            <>
              <dt>{t('res.idScope')}</dt>
              <dd>{res.data.properties.idScope}</dd>
            </>
          ) : null}
        </dl>
      ) : null}
      <h2>{t('res.policies')}</h2>
      <States r={policies} empty={t('res.policies.empty')}>
        {(items) => (
          <ListTable
            caption={t('res.policies')}
            columns={[t('res.policy'), t('res.rights'), t('res.primary'), t('res.secondary'), t('common.actions')]}
          >
            {items.map((p) => {
              const k = revealed[p.keyName];
              return (
                <tr key={p.keyName}>
                  <th scope="row">{p.keyName}</th>
                  <td>{p.rights}</td>
                  <td>
                    <code aria-label={t('res.primaryOf', { policy: p.keyName })}>{k ? k.primaryKey : t('res.hidden')}</code>
                  </td>
                  <td>
                    <code aria-label={t('res.secondaryOf', { policy: p.keyName })}>{k ? k.secondaryKey : t('res.hidden')}</code>
                  </td>
                  <td className="row-actions">
                    {k ? (
                      <button
                        type="button"
                        aria-label={t('res.hideOf', { policy: p.keyName })}
                        onClick={() =>
                          setRevealed((r) => {
                            const { [p.keyName]: _gone, ...rest } = r;
                            return rest;
                          })
                        }
                      >
                        {t('res.hide')}
                      </button>
                    ) : (
                      <button
                        type="button"
                        aria-label={t('res.revealOf', { policy: p.keyName })}
                        onClick={() => void keysOf(p.keyName).then((x) => setRevealed((r) => ({ ...r, [p.keyName]: x })), fail(p.keyName))}
                      >
                        {t('res.reveal')}
                      </button>
                    )}
                    {k ? (
                      <CopyButton text={connection(k)} label={t('res.copyConnection')} />
                    ) : (
                      <button
                        type="button"
                        onClick={() =>
                          void keysOf(p.keyName).then(
                            (x) =>
                              copy(connection(x)).then((ok) =>
                                setStatus({ policy: p.keyName, text: ok ? t('common.copied') : t('common.copyFailed'), error: !ok }),
                              ),
                            fail(p.keyName),
                          )
                        }
                      >
                        {t('res.copyConnection')}
                      </button>
                    )}
                    <button
                      type="button"
                      aria-label={t('res.regenPrimaryOf', { policy: p.keyName })}
                      onClick={() => void change(p.keyName, 'primary').catch(fail(p.keyName))}
                    >
                      {t('res.regenPrimary')}
                    </button>
                    <button
                      type="button"
                      aria-label={t('res.regenSecondaryOf', { policy: p.keyName })}
                      onClick={() => void change(p.keyName, 'secondary').catch(fail(p.keyName))}
                    >
                      {t('res.regenSecondary')}
                    </button>
                    <button
                      type="button"
                      aria-label={t('res.swapOf', { policy: p.keyName })}
                      onClick={() => void change(p.keyName, 'swap').catch(fail(p.keyName))}
                    >
                      {t('res.swap')}
                    </button>
                    {status?.policy === p.keyName ? (
                      status.error ? (
                        <ErrorText error={status.text} />
                      ) : (
                        <span role="status">{status.text}</span>
                      )
                    ) : null}
                  </td>
                </tr>
              );
            })}
          </ListTable>
        )}
      </States>
    </>
  );
}
