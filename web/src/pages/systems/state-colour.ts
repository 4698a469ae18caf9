// The tag colour of a system's, an acceptance's or a filing's state: a module of its own, so the
// filings page shows the colours without importing the systems page (and its date pickers).
export const stateColour: Record<string, string> = {
  building: 'blue', in_service: 'green', removed: 'default', passed: 'green', failed: 'red',
  filed: 'green', 'filed-late': 'orange', due: 'blue', overdue: 'red', 'not-started': 'default', 'no-deadline': 'default',
};
