// A small in-memory NativeBinding for the client's unit tests: enough HNS behaviour (objects, query
// filters, port collisions, E_NOTIMPL modify, service callbacks) plus hooks to hold calls, fail them and
// record their order. The real simulator is exercised by the contract suite; this fake lets the tests
// control timing exactly (no sleeps).
import { randomUUID } from 'node:crypto';
import type {
  NativeBinding,
  NativeContext,
  NativeError,
  NativeErrorCode,
  NativeFamily,
  NativeNotificationListener,
  NativeOpenOptions,
  NativePoolStats,
} from '../../ts/native';

type Json = Record<string, unknown>;

const OPS: Record<NativeFamily, string> = {
  network: 'Network',
  endpoint: 'Endpoint',
  loadBalancer: 'LoadBalancer',
  namespace: 'Namespace',
};

export const HR = {
  notFound: 0x80070490,
  alreadyExists: 0x800700b7,
  portExists: 0x803b0013,
  notImpl: 0x80004001,
  managerStopped: 0x803b0020,
  accessDenied: 0x80070005,
  invalidRef: 0x803b001c,
} as const;

export const NETWORK_ID = '6c1f8a2e-0c1b-4c55-9f2a-000000000001';
export const EP14 = '6c1f8a2e-0c1b-4c55-9f2a-000000000014';
export const EP15 = '6c1f8a2e-0c1b-4c55-9f2a-000000000015';

/** One recorded call: `op` is the HCN export name (HcnCreateLoadBalancer ...). */
export interface FakeCall {
  op: string;
  id?: string | null;
  settings?: string;
  timeoutMs: number;
  query?: string;
}

interface Held {
  op: string;
  resume: () => void;
}

export function nativeError(code: NativeErrorCode, operation: string, hresult?: number, message?: string): NativeError {
  const text = message ?? `${operation} failed`;
  const err = new Error(text) as NativeError;
  err.code = code;
  err.operation = operation;
  if (hresult !== undefined) {
    err.hresult = hresult >>> 0;
    err.errorRecord = JSON.stringify({ Success: false, Error: text + ' ', ErrorCode: hresult >>> 0 });
  }
  return err;
}

/** The fake HNS state and control surface, shared by every context the binding opens. */
export class FakeHns {
  version = { Major: 13, Minor: 2 };
  /** The state file the last simAttach named (null: a private in-memory copy), undefined if none. */
  attachedPath: string | null | undefined = undefined;
  networks = new Map<string, Json>();
  endpoints = new Map<string, Json>();
  loadBalancers = new Map<string, Json>();
  calls: FakeCall[] = [];
  /** Operation name → HRESULTs to fail the next calls with (FIFO). */
  failures = new Map<string, number[]>();
  /** Operations whose calls wait for {@link releaseHeld} (or their deadline). */
  holdOps = new Set<string>();
  held: Held[] = [];
  modifySupported = true;
  /** Modify "succeeds" but keeps the old backends (the HNS 15.4 bug, kubernetes#131466). */
  modifyIgnoresBackends = false;
  /** Port-mapping flag bits a modify applies but leaves out of its read-back (e.g. kube-proxy's VipExternalIP 16). */
  modifyDropsPortFlags = 0;
  listener: NativeNotificationListener | undefined;
  subscribeCount = 0;
  unsubscribeCount = 0;
  contexts: FakeContext[] = [];
  private heldWaiters: (() => void)[] = [];

  constructor() {
    this.reset();
  }

  reset(): void {
    this.networks.clear();
    this.endpoints.clear();
    this.loadBalancers.clear();
    this.networks.set(NETWORK_ID, {
      ID: NETWORK_ID,
      Name: 'vxlan0',
      Type: 'Overlay',
      ManagementIP: '10.231.111.97',
      Ipams: [{ Type: 'Static', Subnets: [{ IpAddressPrefix: '10.0.0.0/24' }] }],
      Policies: [
        {
          Type: 'RemoteSubnetRoute',
          Settings: { DestinationPrefix: '10.0.1.0/24', ProviderAddress: '10.231.111.98', IsolationId: 4096 },
        },
      ],
      SchemaVersion: { Major: 2, Minor: 0 },
    });
    for (const [id, ip] of [
      [EP14, '10.0.0.14'],
      [EP15, '10.0.0.15'],
    ] as const) {
      this.endpoints.set(id, {
        ID: id,
        Name: 'ep-' + ip,
        HostComputeNetwork: NETWORK_ID,
        IpConfigurations: [{ IpAddress: ip, PrefixLength: 24 }],
        MacAddress: '00-15-5D-00-00-' + ip.split('.')[3],
        SchemaVersion: { Major: 2, Minor: 0 },
      });
    }
  }

  failNext(op: string, hresult: number, count = 1): void {
    const q = this.failures.get(op) ?? [];
    for (let i = 0; i < count; i++) q.push(hresult);
    this.failures.set(op, q);
  }

  /** Resolves once `n` calls are being held. */
  waitHeld(n = 1): Promise<void> {
    if (this.held.length >= n) return Promise.resolve();
    return new Promise((resolve) => {
      const check = () => {
        if (this.held.length >= n) resolve();
        else this.heldWaiters.push(check);
      };
      this.heldWaiters.push(check);
    });
  }

  /** Lets every held call (or only those of `op`) run; stops holding that op. */
  releaseHeld(op?: string): void {
    if (op) this.holdOps.delete(op);
    else this.holdOps.clear();
    const go = this.held.filter((h) => !op || h.op === op);
    this.held = this.held.filter((h) => op && h.op !== op);
    for (const h of go) h.resume();
  }

  notify(type: number, status = 0, data: string | null = null): void {
    this.listener?.(type, status, data);
  }

  opsCalled(prefix = 'Hcn'): string[] {
    return this.calls.map((c) => c.op).filter((op) => op.startsWith(prefix));
  }

  /**
   * Runs one HCN operation with the fake's fault hooks and the caller's deadline. Like the native pool,
   * a held call that passes its deadline rejects with HCN_TIMEOUT but stays in HNS: when released it
   * still runs (its result is dropped).
   */
  run<T>(call: FakeCall, body: () => T): Promise<T> {
    this.calls.push(call);
    const execute = (): T => {
      const q = this.failures.get(call.op);
      if (q && q.length > 0) throw nativeError('HCN_HRESULT', call.op, q.shift()!);
      return body();
    };
    if (!this.holdOps.has(call.op)) return Promise.resolve().then(execute);
    return new Promise<T>((resolve, reject) => {
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        reject(nativeError('HCN_TIMEOUT', call.op, undefined, `${call.op} passed its deadline of ${call.timeoutMs} ms`));
      }, call.timeoutMs);
      const resume = () => {
        clearTimeout(timer);
        try {
          const value = execute();
          if (!timedOut) resolve(value);
        } catch (err) {
          if (!timedOut) reject(err);
        }
      };
      this.held.push({ op: call.op, resume });
      const waiters = this.heldWaiters;
      this.heldWaiters = [];
      for (const w of waiters) w();
    });
  }

  filterOf(query: string): Record<string, string> {
    const q = JSON.parse(query) as { Filter?: string };
    return q.Filter ? (JSON.parse(q.Filter) as Record<string, string>) : {};
  }

  store(family: NativeFamily): Map<string, Json> {
    if (family === 'network') return this.networks;
    if (family === 'endpoint') return this.endpoints;
    if (family === 'loadBalancer') return this.loadBalancers;
    throw nativeError('HCN_INVALID_ARGUMENT', 'fake', undefined, 'namespace not modelled');
  }

  matches(obj: Json, filter: Record<string, string>): boolean {
    for (const [k, v] of Object.entries(filter)) {
      // Endpoints are filtered by network under the v1 key VirtualNetwork, as HNS does.
      const have = obj[k === 'VirtualNetwork' ? 'HostComputeNetwork' : k];
      if (typeof have !== 'string' || have.toLowerCase() !== String(v).toLowerCase()) return false;
    }
    return true;
  }

  checkLoadBalancer(lb: Json, op: string, selfId?: string): void {
    const eps = (lb.HostComputeEndpoints as string[] | undefined) ?? [];
    if (eps.length === 0) throw nativeError('HCN_HRESULT', op, HR.invalidRef, 'A Reference is required');
    for (const e of eps) {
      if (!this.endpoints.has(e.toLowerCase())) throw nativeError('HCN_HRESULT', op, HR.invalidRef, 'The reference is invalid');
    }
    const vips = ((lb.FrontendVIPs as string[] | undefined) ?? ['']).length ? ((lb.FrontendVIPs as string[]) ?? []) : [''];
    for (const other of this.loadBalancers.values()) {
      if (other.ID === selfId) continue;
      const ovips = ((other.FrontendVIPs as string[] | undefined) ?? []).length ? (other.FrontendVIPs as string[]) : [''];
      for (const pm of (lb.PortMappings as Json[]) ?? []) {
        for (const opm of (other.PortMappings as Json[]) ?? []) {
          if ((pm.Protocol ?? 0) !== (opm.Protocol ?? 0) || pm.ExternalPort !== opm.ExternalPort) continue;
          if (vips.some((v) => ovips.includes(v))) throw nativeError('HCN_HRESULT', op, HR.portExists, 'The specified port already exists.');
        }
      }
    }
  }
}

export class FakeContext implements NativeContext {
  readonly backend = 'simulated' as const;
  closed = false;
  subscribed = false;
  constructor(
    private readonly hns: FakeHns,
    readonly hasSimControl: boolean,
  ) {}

  private guard(op: string): void {
    if (this.closed) throw nativeError('HCN_CLOSED', op, undefined, 'context closed');
  }

  async enumerate(family: NativeFamily, query: string, timeoutMs: number): Promise<string> {
    this.guard('enumerate');
    const op = `HcnEnumerate${OPS[family]}s`;
    return this.hns.run({ op, timeoutMs, query }, () => {
      const f = this.hns.filterOf(query);
      return JSON.stringify([...this.hns.store(family).values()].filter((o) => this.hns.matches(o, f)).map((o) => o.ID));
    });
  }

  async list(family: NativeFamily, query: string, _props: string, timeoutMs: number): Promise<string[]> {
    this.guard('list');
    const op = `HcnEnumerate${OPS[family]}s`;
    return this.hns.run({ op, timeoutMs, query }, () => {
      const f = this.hns.filterOf(query);
      return [...this.hns.store(family).values()].filter((o) => this.hns.matches(o, f)).map((o) => JSON.stringify(o));
    });
  }

  async create(
    family: NativeFamily,
    id: string | null,
    settings: string,
    _props: string,
    timeoutMs: number,
    networkId?: string,
  ): Promise<string> {
    this.guard('create');
    const op = `HcnCreate${OPS[family]}`;
    return this.hns.run({ op, id, settings, timeoutMs }, () => {
      const obj = JSON.parse(settings) as Json;
      const newId = (id ?? randomUUID()).toLowerCase();
      obj.ID = newId;
      if (family === 'loadBalancer') this.hns.checkLoadBalancer(obj, op);
      if (family === 'endpoint') {
        if (!networkId || !this.hns.networks.has(networkId.toLowerCase()))
          throw nativeError('HCN_HRESULT', op, 0x803b0001, 'network not found');
        obj.HostComputeNetwork = networkId.toLowerCase();
      }
      this.hns.store(family).set(newId, obj);
      return JSON.stringify(obj);
    });
  }

  async query(family: NativeFamily, id: string, _query: string, timeoutMs: number): Promise<string> {
    this.guard('query');
    const op = `HcnQuery${OPS[family]}Properties`;
    return this.hns.run({ op, id, timeoutMs }, () => {
      const obj = this.hns.store(family).get(id.toLowerCase());
      if (!obj) throw nativeError('HCN_HRESULT', `HcnOpen${OPS[family]}`, HR.notFound, 'Element not found.');
      return JSON.stringify(obj);
    });
  }

  async modify(family: NativeFamily, id: string, settings: string, props: string, timeoutMs: number): Promise<string> {
    this.guard('modify');
    const op = `HcnModify${OPS[family]}`;
    return this.hns.run({ op, id, settings, timeoutMs }, () => {
      const store = this.hns.store(family);
      const old = store.get(id.toLowerCase());
      if (!old) throw nativeError('HCN_HRESULT', `HcnOpen${OPS[family]}`, HR.notFound, 'Element not found.');
      if (family === 'loadBalancer' && !this.hns.modifySupported) throw nativeError('HCN_HRESULT', op, HR.notImpl, 'Not implemented');
      const next = JSON.parse(settings) as Json;
      next.ID = old.ID;
      if (family === 'loadBalancer') {
        this.hns.checkLoadBalancer(next, op, old.ID as string);
        if (this.hns.modifyIgnoresBackends) next.HostComputeEndpoints = old.HostComputeEndpoints;
        if (this.hns.modifyDropsPortFlags !== 0) {
          for (const pm of (next.PortMappings as Json[] | undefined) ?? []) {
            const f = ((pm.Flags as number | undefined) ?? 0) & ~this.hns.modifyDropsPortFlags;
            if (f === 0) delete pm.Flags;
            else pm.Flags = f;
          }
        }
      }
      store.set(id.toLowerCase(), next);
      return props ? JSON.stringify(next) : '';
    });
  }

  async remove(family: NativeFamily, id: string, timeoutMs: number): Promise<void> {
    this.guard('remove');
    const op = `HcnDelete${OPS[family]}`;
    return this.hns.run({ op, id, timeoutMs }, () => {
      if (!this.hns.store(family).delete(id.toLowerCase())) throw nativeError('HCN_HRESULT', op, HR.notFound, 'Element not found.');
    });
  }

  async hnsCall(method: string, path: string, _request: string, timeoutMs: number): Promise<string> {
    this.guard('hnsCall');
    return this.hns.run({ op: 'HNSCall', timeoutMs, query: `${method} ${path}` }, () => {
      if (method === 'GET' && path === '/globals/version') return JSON.stringify({ Success: true, Output: this.hns.version });
      return JSON.stringify({ Success: false, Error: 'not modelled' });
    });
  }

  simControl(request: string): string {
    if (!this.hasSimControl) throw nativeError('HCN_NOT_AVAILABLE', 'SimControl', undefined, 'no simulator');
    const req = JSON.parse(request) as { op: string; major?: number; minor?: number };
    if (req.op === 'setVersion') {
      this.hns.version = { Major: req.major!, Minor: req.minor! };
      return '{"ok":true}';
    }
    if (req.op === 'configure') return '{"ok":true}';
    if (req.op === 'stats') return '{"ok":true,"liveHandles":0,"liveStrings":0,"liveCallbacks":0,"calls":{}}';
    return JSON.stringify({ ok: false, error: `unknown op ${req.op}` });
  }

  async simControlAsync(request: string, _timeoutMs: number): Promise<string> {
    return this.simControl(request);
  }

  async simAttach(statePath: string | null, _recoverCorrupt: boolean, _timeoutMs: number): Promise<void> {
    if (!this.hasSimControl) throw nativeError('HCN_NOT_AVAILABLE', 'simAttach', undefined, 'no simulator');
    this.hns.attachedPath = statePath;
  }

  subscribe(listener: NativeNotificationListener, timeoutMs: number): Promise<void> {
    void timeoutMs;
    try {
      this.guard('subscribe');
    } catch (err) {
      return Promise.reject(err);
    }
    if (!this.subscribed) this.hns.subscribeCount++;
    this.subscribed = true;
    this.hns.listener = listener;
    return Promise.resolve();
  }

  unsubscribe(timeoutMs: number): Promise<void> {
    void timeoutMs;
    if (!this.subscribed) return Promise.resolve();
    this.subscribed = false;
    this.hns.unsubscribeCount++;
    this.hns.listener = undefined;
    return Promise.resolve();
  }

  stats(): NativePoolStats {
    return { threads: 4, busy: 0, stuck: 0, queued: 0, completed: this.hns.calls.length, deliveries: this.hns.calls.length, largestDelivery: this.hns.calls.length > 0 ? 1 : 0 };
  }

  close(): void {
    this.closed = true;
  }
}

/** A binding whose contexts all share one {@link FakeHns}. */
export function fakeBinding(hns = new FakeHns(), options: { hasSimControl?: boolean } = {}): NativeBinding & { hns: FakeHns } {
  return {
    hns,
    version: 'fake',
    open(opts: NativeOpenOptions): NativeContext {
      void opts;
      const ctx = new FakeContext(hns, options.hasSimControl ?? true);
      hns.contexts.push(ctx);
      return ctx;
    },
  };
}
