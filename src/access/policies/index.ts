// Loading this module declares every rule; import it once before any authorize().
import './registry.policy.js';
import './footage.policy.js';
import './users.policy.js';
import './access-request.policy.js';
import './audit.policy.js';
import './supervision.policy.js';
