#!/usr/bin/python3
"""A GStreamer RTSP server for Vigil's RTSP client tests: a real peer we did not write.

Usage: gst-rtsp-server.py PORT [USER PASSWORD]

Mounts (all live test patterns, 320x240 at 25 fps, a key frame every second):
  /h264      H.264 video
  /h265      H.265 video (colour bars, so a decoded picture is bright: the ball pattern is black but for the ball)
  /h264aac   H.264 video + AAC audio (MPEG4-GENERIC)
  /h264pcma  H.264 video + G.711 A-law audio
  /h264tcp   H.264 video, TCP interleaved only (SETUP over UDP gets 461 Unsupported Transport)
With USER and PASSWORD every mount asks for them (Digest), as a camera with accounts does.
"""
import sys

import gi

gi.require_version('Gst', '1.0')
gi.require_version('GstRtsp', '1.0')
gi.require_version('GstRtspServer', '1.0')
from gi.repository import GLib, Gst, GstRtsp, GstRtspServer  # noqa: E402

VIDEO = ('videotestsrc is-live=true pattern=ball ! video/x-raw,width=320,height=240,framerate=25/1 '
         '! timeoverlay ')
H264 = VIDEO + '! x264enc tune=zerolatency speed-preset=ultrafast key-int-max=25 ! rtph264pay pt=96 config-interval=1 name=pay0'
VIDEO_BARS = VIDEO.replace('pattern=ball', 'pattern=smpte')
H265 = VIDEO_BARS + '! x265enc tune=zerolatency speed-preset=ultrafast key-int-max=25 ! rtph265pay pt=96 config-interval=1 name=pay0'
AAC = 'audiotestsrc is-live=true wave=sine ! audio/x-raw,rate=44100,channels=1 ! audioconvert ! avenc_aac ! rtpmp4gpay pt=97 name=pay1'
PCMA = 'audiotestsrc is-live=true wave=sine ! audio/x-raw,rate=8000,channels=1 ! alawenc ! rtppcmapay name=pay1'


def main() -> None:
    Gst.init(None)
    port = sys.argv[1]
    user = sys.argv[2] if len(sys.argv) > 3 else None
    password = sys.argv[3] if len(sys.argv) > 3 else None

    server = GstRtspServer.RTSPServer()
    server.set_address('127.0.0.1')
    server.set_service(port)
    mounts = server.get_mount_points()

    def allow(roles):
        perms = GstRtspServer.RTSPPermissions()
        for role in roles:
            s = Gst.Structure.from_string(
                f'{role}, media.factory.access=(boolean)true, media.factory.construct=(boolean)true')[0]
            perms.add_role_from_structure(s)
        return perms

    roles = ('user',) if user is not None else ('anonymous',)

    def mount(path, launch, protocols=None):
        factory = GstRtspServer.RTSPMediaFactory()
        factory.set_launch(f'( {launch} )')
        if protocols is not None:
            factory.set_protocols(protocols)
        factory.set_shared(True)
        factory.set_permissions(allow(roles))
        mounts.add_factory(path, factory)

    mount('/h264', H264)
    mount('/h265', H265)
    mount('/h264aac', f'{H264} {AAC}')
    mount('/h264pcma', f'{H264} {PCMA}')
    mount('/h264tcp', H264, GstRtsp.RTSPLowerTrans.TCP)

    auth = GstRtspServer.RTSPAuth()
    if user is None:
        anonymous = GstRtspServer.RTSPToken()
        anonymous.set_string('media.factory.role', 'anonymous')
        auth.set_default_token(anonymous)
    else:
        token = GstRtspServer.RTSPToken()
        token.set_string('media.factory.role', 'user')
        auth.add_basic(GstRtspServer.RTSPAuth.make_basic(user, password), token)
        auth.add_digest(user, password, token)
        auth.set_supported_methods(GstRtsp.RTSPAuthMethod.DIGEST)
    server.set_auth(auth)

    if server.attach(None) == 0:
        print('could not attach', file=sys.stderr)
        sys.exit(1)
    print(f'READY {port}', flush=True)
    GLib.MainLoop().run()


if __name__ == '__main__':
    main()
