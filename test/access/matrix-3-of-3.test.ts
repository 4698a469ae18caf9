// The authorisation matrix (matrix-suite.ts), routes dealt 3 of 3.
import { authorisationMatrix } from './matrix-suite.js';

authorisationMatrix(2, 3);
