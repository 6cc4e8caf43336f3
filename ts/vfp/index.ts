// VFP: parsing of vfpctrl rule listings and the DSR rules a load balancer should program.
export * from './parse';
export * from './dsr-rules';
