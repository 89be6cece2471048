// The panel page's buttons as the website's real commands, published by the demo service: the same
// path a command from makapix.club takes to the player.

import type { PanelControl } from "../hosts/node/panel-server.js";
import type { ArtworkPost } from "./demo-service/catalogue-data.js";
import type { DemoService } from "./demo-service/service.js";

/** The page's buttons as the website's commands, sent by the demo service. */
export async function sendAsWebsite(service: DemoService, key: string, control: PanelControl): Promise<void> {
  switch (control.action) {
    case "next":
      await service.sendCommand(key, "swap_next", {});
      return;
    case "back":
      await service.sendCommand(key, "swap_back", {});
      return;
    case "pause":
      await service.sendCommand(key, "set_paused", { paused: control.paused === true });
      return;
    case "brightness":
      await service.sendCommand(key, "set_brightness", { value: Math.round(control.value ?? 100) });
      return;
    case "channel": {
      const name = control.channel ?? "promoted";
      if (name === "hashtag") await service.sendCommand(key, "play_channel", { channel_name: name, hashtag: control.argument ?? "" });
      else if (name === "by_user") {
        const user = service.catalogue.users.find((candidate) => candidate.handle === control.argument);
        await service.sendCommand(key, "play_channel", { channel_name: name, user_sqid: user?.sqid ?? "", user_handle: control.argument ?? "" });
      } else await service.sendCommand(key, "play_channel", { channel_name: name });
      return;
    }
    case "show": {
      const post = service.catalogue.posts.find((candidate): candidate is ArtworkPost => candidate.kind === "artwork" && candidate.postId === control.postId);
      if (!post) throw new Error(`no artwork ${String(control.postId)} in the demo catalogue`);
      await service.sendCommand(key, "show_artwork", {
        post_id: post.postId,
        title: post.title,
        storage_key: post.storageKey,
        storage_shard: post.storageShard,
        native_format: post.nativeFormat,
        width: post.width,
        height: post.height,
      });
      return;
    }
  }
}
