// The authorisation matrix (matrix-suite.ts), routes dealt 1 of 3.
import { authorisationMatrix } from './matrix-suite.js';

authorisationMatrix(0, 3);
