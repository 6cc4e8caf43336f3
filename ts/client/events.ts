// The client's events: HNS service notifications (HCN_NOTIFICATIONS) and ServiceDisconnect.
import type { HcnError } from '../errors';

/**
 * A notification from HNS (HCN_NOTIFICATIONS), emitted as `'notification'`.
 * @example
 * hcn.on('notification', (n: HcnNotification) => console.log(n.type.toString(16), n.data));
 */
export interface HcnNotification {
  /** HCN_NOTIFICATIONS value, e.g. 0x01000000 = ServiceDisconnect (see {@link HcnNotificationType}). */
  type: number;
  /** The notification's HRESULT status. */
  status: number;
  /** Notification data (JSON text for most types), or null. */
  data: string | null;
}

/**
 * HCN_NOTIFICATIONS values. There is no load balancer notification; ServiceDisconnect (HNS stopped or
 * restarted) is the only hook for "re-check your load balancers".
 * @example
 * hcn.on('notification', (n) => { if (n.type === HcnNotificationType.NetworkCreate) refreshNetworks(); });
 */
export const HcnNotificationType = Object.freeze({
  /** `HcnNotificationNetworkPreCreate` (0x1): a network is about to be created. */
  NetworkPreCreate: 0x1,
  /** `HcnNotificationNetworkCreate` (0x2): a network was created. */
  NetworkCreate: 0x2,
  /** `HcnNotificationNetworkPreDelete` (0x3): a network is about to be deleted. */
  NetworkPreDelete: 0x3,
  /** `HcnNotificationNetworkDelete` (0x4): a network was deleted. */
  NetworkDelete: 0x4,
  /** `HcnNotificationNamespaceCreate` (0x5): a namespace was created. */
  NamespaceCreate: 0x5,
  /** `HcnNotificationNamespaceDelete` (0x6): a namespace was deleted. */
  NamespaceDelete: 0x6,
  /** `HcnNotificationGuestNetworkServiceCreate` (0x7): a guest network service was created. */
  GuestNetworkServiceCreate: 0x7,
  /** `HcnNotificationGuestNetworkServiceDelete` (0x8): a guest network service was deleted. */
  GuestNetworkServiceDelete: 0x8,
  /** `HcnNotificationNetworkEndpointAttached` (0x9): an endpoint was attached to a network. */
  NetworkEndpointAttached: 0x9,
  /** `HcnNotificationNetworkEndpointDetached` (0x10, i.e. 16, not 10): an endpoint was detached from a network. */
  NetworkEndpointDetached: 0x10,
  /** `HcnNotificationGuestNetworkServiceStateChanged` (0x11): a guest network service changed state. */
  GuestNetworkServiceStateChanged: 0x11,
  /** `HcnNotificationGuestNetworkServiceInterfaceStateChanged` (0x12): a guest network service interface changed state. */
  GuestNetworkServiceInterfaceStateChanged: 0x12,
  /** `HcnNotificationServiceDisconnect` (0x01000000): HNS stopped or restarted; the client also emits `'serviceDisconnect'`. */
  ServiceDisconnect: 0x01000000,
} as const);

/** The flag bits of a notification type (masked off before comparing the type). */
export const NOTIFICATION_FLAGS = 0xf0000000;

/**
 * Events of {@link Hcn}.
 * @example
 * const onDisconnect: HcnEvents['serviceDisconnect'] = () => resyncAll();
 * hcn.on('serviceDisconnect', onDisconnect);
 */
export interface HcnEvents {
  /** HNS stopped or restarted: cached IDs may be stale and HNS may have rehydrated objects. */
  serviceDisconnect: (notification: HcnNotification) => void;
  /** Every notification HNS sends, ServiceDisconnect included. */
  notification: (notification: HcnNotification) => void;
  /**
   * A background registration or unregistration of the HNS service callback failed (started by
   * adding the first or removing the last listener above): HcnTimeoutError when HNS did not answer
   * in time, HcnNotAvailableError when the host lacks the export, and so on. Without an `'error'`
   * listener this is an unhandled `'error'` event, as with any EventEmitter; await
   * `hcn.subscribe()` to get the failure as a rejection instead.
   */
  error: (error: HcnError) => void;
}

