// The authorisation matrix (matrix-suite.ts), routes dealt 2 of 3.
import { authorisationMatrix } from './matrix-suite.js';

authorisationMatrix(1, 3);
