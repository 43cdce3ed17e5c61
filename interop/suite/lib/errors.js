'use strict';

// An operation of a party (driver or libsignal) failed with a contract error code.
class PartyError extends Error {
  constructor(code, message, extra = {}) {
    super(`${code}: ${message}`);
    this.code = code;
    this.detail = message;
    Object.assign(this, extra);
  }
}

// The driver process misbehaved (crash, timeout, malformed output).
class DriverFault extends Error {
  constructor(kind, message) {
    super(`driver ${kind}: ${message}`);
    this.kind = kind;
  }
}

// An assertion in a scenario failed.
class CheckFailed extends Error {}

module.exports = { PartyError, DriverFault, CheckFailed };
