// Kept for the CLI's older imports: v1 policy-list parsing now lives in the SDK (schema/policy-list),
// the DSR matching in verify.ts.
export { parsePolicyLists, type ElbPolicyView, type PolicyListView } from '../schema/policy-list';
export { v1IsDsr } from '../verify';
