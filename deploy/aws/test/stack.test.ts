// The stack's specifications in one process, so the stack (and its Lambda bundle) is
// synthesized once for all of them: resources, permissions, the bundle.
import './stack-resources.spec.ts';
import './least-privilege.spec.ts';
import './bundle.spec.ts';
