// The request/response protocol (sheet §3) as the service runs it: parse, route by request_type,
// authenticate by the topic's player key, validate with the service's schemas, answer on
// response/{payload request_id} with Python json.dumps text.

import type { Catalogue } from "./catalogue.js";
import { CriteriaError, parseCriteria } from "./criteria.js";
import { CountingLimiter } from "./limits.js";
import type { PlayerRegistry } from "./players.js";
import { getPost, queryPosts, trimReply, type Channel, type PostSource, type Sort } from "./posts.js";
import { pythonJson, type JsonValue } from "./python-json.js";
import { MAX_EMOJI_CODE_POINTS, type ReactionStore } from "./reactions.js";
import { RpcError, validationError } from "./rpc-error.js";
import { RequestFields, type Payload } from "./validate.js";

const CHANNELS: readonly Channel[] = ["all", "promoted", "user", "by_user", "artwork", "hashtag", "reactions"];
const SORTS: readonly Sort[] = ["server_order", "created_at", "random", "reacted_at"];

export interface RequestLimits {
  /** Requests per player per window before rate_limit_exceeded (the demo's own flood guard). */
  requestsPerWindow: number;
  requestWindowMs: number;
  /** echo: 10 per 60 s per player, as the service. */
  echoPerWindow: number;
  echoWindowMs: number;
}

export const DEFAULT_REQUEST_LIMITS: RequestLimits = { requestsPerWindow: 60, requestWindowMs: 60_000, echoPerWindow: 10, echoWindowMs: 60_000 };

export interface Reply {
  topic: string;
  text: string;
}

export interface RequestLogEntry {
  playerKey: string;
  requestId: string | null;
  requestType: string | null;
  errorCode: string | null;
}

export class RequestHandler {
  private readonly requestLimiter: CountingLimiter;
  private readonly echoLimiter: CountingLimiter;
  readonly log: RequestLogEntry[] = [];

  constructor(
    private readonly source: PostSource & { catalogue: Catalogue; reactions: ReactionStore },
    private readonly players: PlayerRegistry,
    limits: RequestLimits = DEFAULT_REQUEST_LIMITS,
    private readonly now: () => number = Date.now,
  ) {
    this.requestLimiter = new CountingLimiter(limits.requestsPerWindow, limits.requestWindowMs, now);
    this.echoLimiter = new CountingLimiter(limits.echoPerWindow, limits.echoWindowMs, now);
  }

  /**
   * One message on makapix/player/{playerKey}/request/{anything}. Returns the reply, or undefined
   * where the service answers nothing (payload not UTF-8 or not a JSON object, request_id not a string).
   */
  handle(playerKey: string, bytes: Uint8Array): Reply | undefined {
    const reply = (requestId: string, body: { [key: string]: JsonValue | undefined }) => {
      this.log.push({ playerKey, requestId, requestType: typeof parsed?.["request_type"] === "string" ? (parsed["request_type"] as string) : null, errorCode: body["success"] === false ? String(body["error_code"]) : null });
      if (this.log.length > 1000) this.log.splice(0, 500);
      return { topic: `makapix/player/${playerKey}/response/${requestId}`, text: pythonJson(body) };
    };
    const failure = (requestId: string, error: RpcError) => reply(requestId, { request_id: requestId, success: false, error: error.message, error_code: error.errorCode });

    let text: string;
    try {
      text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    } catch {
      return undefined;
    }
    let parsed: Payload | undefined;
    try {
      parsed = JSON.parse(text) as Payload;
    } catch {
      return failure("unknown", new RpcError("invalid_json", "Invalid JSON in request payload"));
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return undefined;
    const rawId = parsed["request_id"] === undefined ? "unknown" : parsed["request_id"];
    // The service cannot even build an error reply for a non-string id: nothing is sent.
    if (typeof rawId !== "string") return undefined;
    const requestId = rawId;
    const requestType = parsed["request_type"];
    if (!requestType) return failure(requestId, new RpcError("invalid_request", "Missing request_type"));

    const player = this.players.ensure(playerKey);
    if (player.authenticationFails) return failure(requestId, new RpcError("authentication_failed", "Player not authenticated or not registered"));
    if (!this.requestLimiter.take(playerKey)) return failure(requestId, new RpcError("rate_limit_exceeded", "Rate limit exceeded for player requests"));
    try {
      const body = this.route(playerKey, String(requestType), parsed);
      return reply(requestId, body);
    } catch (error) {
      if (error instanceof RpcError) return failure(requestId, error);
      return failure(requestId, new RpcError("internal_error", `Internal error: ${(error as Error).message}`));
    }
  }

  private route(playerKey: string, requestType: string, payload: Payload): { [key: string]: JsonValue | undefined } {
    const model = MODELS[requestType];
    if (!model) throw new RpcError("unknown_request_type", `Unknown request type: ${requestType}`);
    const fields = new RequestFields(model, payload);
    const requestId = fields.string("request_id", { required: true });
    fields.playerKey();
    const owner = this.source.catalogue.ownerHandle;
    switch (requestType) {
      case "query_posts": {
        const query = {
          channel: fields.literal("channel", CHANNELS, "all"),
          userHandle: fields.string("user_handle"),
          userSqid: fields.string("user_sqid"),
          hashtag: fields.string("hashtag"),
          sort: fields.literal("sort", SORTS, "server_order"),
          randomSeed: fields.integer("random_seed", { nullable: true }),
          cursor: fields.string("cursor"),
          limit: fields.integer("limit", { fallback: 50, min: 1, max: 50 })!,
          criteria: parseCriteriaField(model, payload["criteria"]),
          includeFields: fields.stringList("include_fields"),
        };
        const page = queryPosts(this.source, query);
        // Nulls are left out, and only this reply is capped at 128 KiB.
        return trimReply({ request_id: requestId, success: true, posts: page.posts, next_cursor: page.nextCursor, has_more: page.hasMore });
      }
      case "get_post": {
        const postId = fields.integer("post_id", { required: true })!;
        const post = getPost(this.source, postId, fields.stringList("include_fields"));
        return { request_id: requestId, success: true, post };
      }
      case "submit_reaction":
      case "revoke_reaction": {
        const postId = fields.integer("post_id", { required: true })!;
        const emoji = fields.string("emoji", { required: true, min: 1, max: MAX_EMOJI_CODE_POINTS });
        if (requestType === "submit_reaction") this.source.reactions.submit(owner, postId, emoji);
        else this.source.reactions.revoke(owner, postId, emoji);
        return { request_id: requestId, success: true, error: null };
      }
      case "get_comments": {
        const postId = fields.integer("post_id", { required: true })!;
        const cursor = fields.string("cursor");
        const limit = fields.integer("limit", { fallback: 50, min: 1, max: 200 })!;
        return { request_id: requestId, success: true, ...this.comments(postId, cursor, limit), error: null };
      }
      case "get_playset": {
        const name = fields.string("playset_name", { required: true });
        if (name !== "followed_artists") {
          return { request_id: requestId, success: false, channels: [], error: `Playset '${name}' not found`, error_code: "playset_not_found" };
        }
        const channels = this.source.catalogue.follows.map((handle) => {
          const user = this.source.catalogue.users.find((u) => u.handle === handle)!;
          return { type: "user", identifier: user.sqid, display_name: `@${user.handle}` };
        });
        return { request_id: requestId, success: true, playset_name: name, channels, exposure_mode: "equal", pick_mode: "random" };
      }
      case "echo": {
        const echoData = fields.string("echo_data", { required: true, max: 512 });
        if (!this.echoLimiter.take(playerKey)) throw new RpcError("rate_limit_exceeded", "Rate limit exceeded for echo requests");
        return { request_id: requestId, success: true, echo_data: echoData, received_at: pythonUtcNow(this.now()) };
      }
    }
    throw new RpcError("unknown_request_type", `Unknown request type: ${requestType}`);
  }

  /** Oldest first, offset cursor; hidden comments never counted, deleted ones counted but not sent. */
  private comments(postId: number, cursor: string | undefined, limit: number): { comments: JsonValue[]; next_cursor: string | null; has_more: boolean } {
    const all = this.source.catalogue.comments
      .filter((c) => c.postId === postId && !c.hiddenByMod && c.depth <= 2)
      .sort((a, b) => Date.parse(a.createdAt) - Date.parse(b.createdAt));
    const offset = cursor && /^\s*\d+\s*$/.test(cursor) ? Number(cursor) : 0;
    const hasMore = all.length > offset + limit;
    const page = all.slice(offset, offset + limit).filter((c) => !c.deleted);
    return {
      comments: page.map((c) => ({
        comment_id: c.commentId,
        post_id: c.postId,
        author_handle: c.author,
        body: c.body,
        depth: c.depth,
        parent_id: c.parentId,
        created_at: c.createdAt,
        deleted: c.deleted,
      })),
      next_cursor: hasMore ? String(offset + limit) : null,
      has_more: hasMore,
    };
  }
}

const MODELS: { [type: string]: string } = {
  query_posts: "QueryPostsRequest",
  get_post: "GetPostRequest",
  submit_reaction: "SubmitReactionRequest",
  revoke_reaction: "RevokeReactionRequest",
  get_comments: "GetCommentsRequest",
  get_playset: "GetPlaysetRequest",
  echo: "EchoRequest",
};

function parseCriteriaField(model: string, raw: unknown) {
  try {
    return parseCriteria(raw);
  } catch (error) {
    if (error instanceof CriteriaError) {
      const [location, ...message] = error.message.split(": ");
      throw validationError(model, location!, message.join(": "));
    }
    throw error;
  }
}

/** datetime.now(timezone.utc) as pydantic writes it: "2025-03-01T10:00:00.123000Z". */
export function pythonUtcNow(ms: number): string {
  const iso = new Date(ms).toISOString();
  return iso.endsWith(".000Z") ? iso.replace(".000Z", "Z") : iso.replace(/\.(\d{3})Z$/, ".$1000Z");
}

/** datetime.now(timezone.utc).isoformat(): "2025-03-01T10:00:00.123000+00:00" (no fraction at .000). */
export function pythonIsoformat(ms: number): string {
  const iso = new Date(ms).toISOString();
  return iso.endsWith(".000Z") ? iso.replace(".000Z", "+00:00") : iso.replace(/\.(\d{3})Z$/, ".$1000+00:00");
}
