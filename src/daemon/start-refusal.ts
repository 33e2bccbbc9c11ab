// Why a daemon will not start, as one line for its operator: a data directory
// in use or missing its cluster, an admin token that no one could log in with,
// a port taken. Not an error of the wire protocol: nothing answers it over
// HTTP; `neighborbid daemon` prints the line as it is and exits with 1.

/** A daemon refused to start; the message is one complete line saying what it found and what is missing. */
export class StartRefusal extends Error {
  constructor(message: string) {
    super(message.replace(/\s*\n\s*/g, ' '));
    this.name = 'StartRefusal';
  }
}
