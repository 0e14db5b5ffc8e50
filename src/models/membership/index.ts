/** The membership model: SWIM and Lifeguard on a scalable network (docs/membership.md). */
export * from './options.ts';
export * from './group.ts';
export { registerMembershipProtocol, membershipProtocolNames, type ProtocolTraits } from './protocols.ts';
