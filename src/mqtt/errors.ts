// The one error type the MQTT codec throws: a reason code the session can put in a DISCONNECT, and a
// message saying exactly what was wrong ("CONNACK: property 0x21 (receiveMaximum) appears twice").

export class MqttProtocolError extends Error {
  // A field, not `this.name = ...`: in a Moddable app Error.prototype is frozen, and assigning a
  // property that a frozen prototype holds throws ("set name: not writable").
  override readonly name = "MqttProtocolError";
  /** MQTT 5 reason code: 0x81 malformed packet, 0x82 protocol error, 0x95 packet too large, ... */
  readonly reasonCode: number;

  constructor(reasonCode: number, message: string) {
    super(message);
    this.reasonCode = reasonCode;
  }
}

export const MALFORMED_PACKET = 0x81;
export const PROTOCOL_ERROR = 0x82;
export const TOPIC_FILTER_INVALID = 0x8f;
export const TOPIC_NAME_INVALID = 0x90;
export const PACKET_TOO_LARGE = 0x95;
