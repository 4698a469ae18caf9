// A playback plan as an HLS VOD media playlist (RFC 8216 §4.3): each segment is one recorded
// fragment served as it is on disk, each file's own init segment as EXT-X-MAP, a discontinuity
// at every file change or hole (§4.3.2.3), wall-clock times as EXT-X-PROGRAM-DATE-TIME, and
// EXT-X-START at the requested instant so a player opens there, decoding from the keyframe.
// Each file's run is asked with `startSeq` = its first fragment in the plan, so the player gets
// a copy whose decode times start at zero there (the fragments' bytes otherwise as recorded).
import type { PlaybackPlan } from './playback-plan.js';

export function vodPlaylist(plan: PlaybackPlan): string {
  const target = Math.max(1, ...plan.segments.map((s) => Math.ceil((s.endMs - s.startMs) / 1000)));
  const lines = ['#EXTM3U', '#EXT-X-VERSION:7', `#EXT-X-TARGETDURATION:${target}`, '#EXT-X-PLAYLIST-TYPE:VOD', '#EXT-X-MEDIA-SEQUENCE:0'];
  if (plan.offsetS > 0) lines.push(`#EXT-X-START:TIME-OFFSET=${plan.offsetS.toFixed(3)},PRECISE=YES`);
  let file = -1;
  let startSeq = 0;
  for (const s of plan.segments) {
    if (s.discontinuity) lines.push('#EXT-X-DISCONTINUITY');
    if (s.fileId !== file) {
      file = s.fileId;
      startSeq = s.seq;
      lines.push(`#EXT-X-MAP:URI="files/${s.fileId}/init.mp4?startSeq=${startSeq}"`);
    }
    lines.push(`#EXT-X-PROGRAM-DATE-TIME:${new Date(s.startMs).toISOString()}`, `#EXTINF:${((s.endMs - s.startMs) / 1000).toFixed(3)},`, `files/${s.fileId}/${s.seq}.m4s?startSeq=${startSeq}`);
  }
  lines.push('#EXT-X-ENDLIST');
  return lines.join('\n') + '\n';
}
