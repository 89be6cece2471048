// Emoji reactions: seeded from the catalogue, added and revoked by players on behalf of their owner.
// Idempotent both ways; at most 5 distinct emoji per user per post (sheet §3).

import type { Catalogue } from "./catalogue.js";
import type { SeedReaction } from "./catalogue-data.js";
import { RpcError } from "./rpc-error.js";

export const MAX_REACTIONS_PER_POST = 5;
export const MAX_EMOJI_CODE_POINTS = 20;

export class ReactionStore {
  private readonly reactions: SeedReaction[];
  private nextId: number;

  constructor(
    private readonly catalogue: Catalogue,
    private readonly now: () => number = Date.now,
  ) {
    this.reactions = catalogue.reactions.map((r) => ({ ...r }));
    this.nextId = this.reactions.reduce((max, r) => Math.max(max, r.reactionId), 0) + 1;
  }

  /** submit_reaction: `emoji` already passed the 1–20 code point schema check. */
  submit(user: string, postId: number, emoji: string): void {
    const trimmed = emoji.trim();
    if (!trimmed || [...trimmed].length > MAX_EMOJI_CODE_POINTS) throw new RpcError("invalid_emoji", "Invalid emoji format");
    const post = this.catalogue.posts.find((p) => p.postId === postId);
    if (!post) throw new RpcError("not_found", `Post ${postId} not found`);
    if (post.visibility === "deleted") throw new RpcError("deleted", "Post has been deleted");
    const mine = this.reactions.filter((r) => r.postId === postId && r.user === user);
    if (mine.some((r) => r.emoji === trimmed)) return;
    if (mine.length >= MAX_REACTIONS_PER_POST) throw new RpcError("reaction_limit_exceeded", `Maximum ${MAX_REACTIONS_PER_POST} reactions per post exceeded`);
    this.reactions.push({ reactionId: this.nextId++, postId, user, emoji: trimmed, createdAt: new Date(this.now()).toISOString() });
  }

  /** revoke_reaction: succeeds whether or not the reaction existed (the post is not even looked up). */
  revoke(user: string, postId: number, emoji: string): void {
    const index = this.reactions.findIndex((r) => r.postId === postId && r.user === user && r.emoji === emoji.trim());
    if (index >= 0) this.reactions.splice(index, 1);
  }

  /** Emoji `user` has on `postId`. */
  emojiOf(user: string, postId: number): string[] {
    return this.reactions.filter((r) => r.postId === postId && r.user === user).map((r) => r.emoji);
  }

  /** The latest reaction of `user` per post: what the reactions channel lists and sorts by. */
  latestByPost(user: string): Map<number, { at: string; id: number }> {
    const latest = new Map<number, { at: string; id: number }>();
    for (const r of this.reactions) {
      if (r.user !== user) continue;
      const seen = latest.get(r.postId);
      if (!seen || r.reactionId > seen.id) latest.set(r.postId, { at: r.createdAt, id: r.reactionId });
    }
    return latest;
  }
}
