#!/usr/bin/env python3
"""Draw the illustrative "stills" for the manuscript *The Salt Lantern*.

Every image is a simple geometric composition drawn with Pillow shapes only
(no fonts, no text). The output is deterministic: the only randomness comes
from ``random.Random`` instances with fixed seeds, PNGs are written with
``optimize=False`` and JPEGs with a fixed ``quality=85`` and no EXIF data, so
running the script twice yields byte-identical files.

Usage:  python draw_stills.py        (writes into ./stills next to this file)
"""

import math
import random
from pathlib import Path

from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageOps

HERE = Path(__file__).resolve().parent
OUT = HERE / "stills"

SS = 2  # supersampling factor; images are drawn large and scaled down

SEPIA_DARK = (24, 19, 14)
SEPIA_MID = (128, 112, 92)
SEPIA_LIGHT = (243, 234, 215)


# --------------------------------------------------------------------------
# helpers


def vgrad(w, h, stops):
    """Vertical greyscale gradient through (position 0..1, value) stops."""
    col = Image.new("L", (1, h))
    px = col.load()
    for y in range(h):
        t = y / (h - 1)
        v = stops[-1][1]
        for (p0, v0), (p1, v1) in zip(stops, stops[1:]):
            if p0 <= t <= p1:
                f = 0.0 if p1 == p0 else (t - p0) / (p1 - p0)
                v = v0 + (v1 - v0) * f
                break
        px[0, y] = max(0, min(255, round(v)))
    return col.resize((w, h), Image.NEAREST)


def hgrad(w, h, v_left, v_right):
    """Horizontal greyscale gradient."""
    row = Image.new("L", (w, 1))
    px = row.load()
    for x in range(w):
        px[x, 0] = round(v_left + (v_right - v_left) * x / (w - 1))
    return row.resize((w, h), Image.NEAREST)


def shade(img, value, draw_fn, alpha=1.0, blur=0):
    """Paint ``value`` through a mask drawn by ``draw_fn(draw, fill)``."""
    mask = Image.new("L", img.size, 0)
    draw_fn(ImageDraw.Draw(mask), round(255 * alpha))
    if blur:
        mask = mask.filter(ImageFilter.GaussianBlur(blur))
    img.paste(value, (0, 0) + img.size, mask)


def glow(img, x, y, r, alpha=0.6, blur=None, value=255):
    shade(
        img,
        value,
        lambda d, f: d.ellipse((x - r, y - r, x + r, y + r), fill=f),
        alpha,
        r * 0.6 if blur is None else blur,
    )


def ellipse_pts(cx, cy, rx, ry, rot=0.0, n=72):
    ca, sa = math.cos(rot), math.sin(rot)
    pts = []
    for i in range(n):
        t = 2 * math.pi * i / n
        x, y = rx * math.cos(t), ry * math.sin(t)
        pts.append((cx + x * ca - y * sa, cy + x * sa + y * ca))
    return pts


def rotate_pts(pts, cx, cy, rot):
    ca, sa = math.cos(rot), math.sin(rot)
    return [(cx + x * ca - y * sa, cy + x * sa + y * ca) for x, y in pts]


def grain_layer(w, h, amount, seed):
    rng = random.Random(seed)
    size = 320
    tile = Image.frombytes(
        "L", (size, size), bytes(rng.randrange(256) for _ in range(size * size))
    )
    tile = tile.point(lambda v: round(128 + (v - 128) * amount / 128))
    layer = Image.new("L", (w, h))
    for ty in range(0, h, size):
        for tx in range(0, w, size):
            layer.paste(tile, (tx, ty))
    return layer


def finish(img, name, *, sepia=False, grain=0, vignette=0.35, seed=0):
    """Downsample, add vignette and grain, tone, and save deterministically."""
    w, h = img.width // SS, img.height // SS
    img = img.resize((w, h), Image.LANCZOS)
    if vignette:
        rad = Image.radial_gradient("L").resize((w, h), Image.BILINEAR)
        mask = rad.point(lambda v: round(255 - vignette * v * v / 255))
        img = ImageChops.multiply(img, mask)
    if grain:
        img = ImageChops.add(img, grain_layer(w, h, grain, seed), 1.0, -128)
    if sepia:
        img = ImageOps.colorize(img, SEPIA_DARK, SEPIA_LIGHT, mid=SEPIA_MID)
    path = OUT / name
    if name.lower().endswith((".jpg", ".jpeg")):
        img.save(path, "JPEG", quality=85, optimize=False, progressive=False)
    else:
        img.save(path, "PNG", optimize=False)
    return path


def figure_standing(d, x, y_feet, height, fill, coat=True):
    """A simple standing human silhouette with feet at (x, y_feet)."""
    hr = height * 0.075
    head_y = y_feet - height + hr
    d.ellipse((x - hr, head_y - hr, x + hr, head_y + hr), fill=fill)
    sh = height * 0.13
    top = head_y + hr * 1.1
    hem = y_feet - height * 0.28 if coat else y_feet - height * 0.45
    d.polygon(
        [
            (x - sh * 0.55, top),
            (x + sh * 0.55, top),
            (x + sh * 0.9, top + height * 0.08),
            (x + sh * 1.05, hem),
            (x - sh * 1.05, hem),
            (x - sh * 0.9, top + height * 0.08),
        ],
        fill=fill,
    )
    lw = height * 0.055
    d.rectangle((x - sh * 0.55, hem - 2, x - sh * 0.55 + lw, y_feet), fill=fill)
    d.rectangle((x + sh * 0.55 - lw, hem - 2, x + sh * 0.55, y_feet), fill=fill)


def grass(d, rng, w, y0, y1, count, *, light=(25, 70), hmin=0.05, hmax=0.5,
          lean=(-0.3, 0.15), wmax=3.0, avoid=None):
    """Marsh grass strokes between y0 (horizon) and y1, denser and larger near.

    ``avoid`` is an optional mask image; blades rooted where it is non-zero
    are skipped (used to keep creeks and causeways clear).
    """
    blades = []
    for _ in range(count):
        u = rng.random()
        y = y0 + (y1 - y0) * (u ** 0.6)
        depth = (y - y0) / (y1 - y0)
        length = (y1 - y0) * (hmin + (hmax - hmin) * rng.random()) * (0.08 + depth)
        x = rng.uniform(-20, w + 20)
        if avoid is not None:
            ax = min(max(int(x), 0), avoid.width - 1)
            ay = min(max(int(y), 0), avoid.height - 1)
            if avoid.getpixel((ax, ay)):
                continue
        blades.append((y, x, length, rng.uniform(*lean), depth,
                       rng.randint(*light)))
    blades.sort()
    for y, x, length, ln, depth, val in blades:
        width = max(1, round(SS * (0.6 + wmax * depth)))
        mx, my = x + ln * length * 0.3, y - length * 0.55
        tx, ty = x + ln * length, y - length
        d.line([(x, y), (mx, my), (tx, ty)], fill=val, width=width, joint="curve")


# --------------------------------------------------------------------------
# the stills


def harbour_at_dusk():
    W, H = 1200 * SS, 800 * SS
    hy = int(H * 0.56)
    rng = random.Random(101)
    img = vgrad(W, H, [(0, 120), (0.40, 190), (0.56, 226), (0.5601, 128),
                       (0.75, 74), (1, 34)])
    d = ImageDraw.Draw(img)
    # long bands of cloud
    for i in range(9):
        y = H * (0.08 + 0.045 * i)
        x0 = rng.uniform(-0.2, 0.5) * W
        length = rng.uniform(0.4, 0.9) * W
        th = rng.uniform(0.006, 0.016) * H
        shade(img, 95 + 8 * i,
              lambda dd, f, x0=x0, y=y, length=length, th=th:
              dd.ellipse((x0, y - th, x0 + length, y + th), fill=f),
              0.45, 6 * SS)
    # low sun glow and its reflection
    sx = W * 0.70
    glow(img, sx, hy - H * 0.015, H * 0.12, 0.55)
    glow(img, sx, hy - H * 0.012, H * 0.025, 0.9, 3 * SS, 250)
    for _ in range(70):
        y = hy + (H - hy) * (rng.random() ** 1.8)
        half = (0.01 + 0.06 * (y - hy) / (H - hy)) * W * rng.uniform(0.3, 1)
        x = sx + rng.gauss(0, 0.03 * W)
        th = max(1, round(SS * (1 + 3 * (y - hy) / (H - hy))))
        d.line([(x - half, y), (x + half, y)],
               fill=150 + rng.randint(0, 60), width=th)
    # distant low land at right
    d.polygon([(W * 0.78, hy), (W * 0.82, hy - H * 0.012),
               (W, hy - H * 0.016), (W, hy)], fill=108)
    # harbour wall and beacon at left
    d.polygon([(0, hy - H * 0.04), (W * 0.25, hy - H * 0.028),
               (W * 0.28, hy + H * 0.004), (0, hy + H * 0.01)], fill=40)
    bx = W * 0.235
    d.rectangle((bx - 7 * SS, hy - H * 0.11, bx + 7 * SS, hy - H * 0.028), fill=34)
    d.rectangle((bx - 11 * SS, hy - H * 0.125, bx + 11 * SS, hy - H * 0.105), fill=30)
    glow(img, bx, hy - H * 0.117, 7 * SS, 0.8, 2 * SS, 235)
    # small sailing boat
    bx, by = W * 0.6, hy + H * 0.03
    hull = [(bx - 46 * SS, by - 9 * SS), (bx + 50 * SS, by - 9 * SS),
            (bx + 36 * SS, by + 4 * SS), (bx - 38 * SS, by + 4 * SS)]
    d.polygon(hull, fill=26)
    d.line([(bx, by - 9 * SS), (bx, by - 120 * SS)], fill=26, width=3 * SS)
    d.polygon([(bx + 3 * SS, by - 118 * SS), (bx + 3 * SS, by - 14 * SS),
               (bx + 62 * SS, by - 14 * SS)], fill=40)
    d.polygon([(bx - 3 * SS, by - 100 * SS), (bx - 3 * SS, by - 14 * SS),
               (bx - 40 * SS, by - 14 * SS)], fill=48)
    for k in range(6):
        yy = by + (8 + 7 * k) * SS
        d.line([(bx - (40 - 4 * k) * SS, yy), (bx + (40 - 5 * k) * SS, yy)],
               fill=44, width=2 * SS)
    finish(img, "harbour-at-dusk.png", vignette=0.4)


def lighthouse_tower(d, img, cx, base_y, height, base_hw, top_hw,
                     body=212, dark=34, lit=True):
    top_y = base_y - height
    d.polygon([(cx - base_hw, base_y), (cx + base_hw, base_y),
               (cx + top_hw, top_y), (cx - top_hw, top_y)], fill=body)
    # shaded right flank
    d.polygon([(cx + base_hw * 0.35, base_y), (cx + base_hw, base_y),
               (cx + top_hw, top_y), (cx + top_hw * 0.35, top_y)],
              fill=max(0, body - 45))
    # gallery, lantern and cap
    gw = top_hw * 1.45
    gh = height * 0.025
    d.rectangle((cx - gw, top_y - gh, cx + gw, top_y), fill=dark)
    lw, lh = top_hw * 0.85, height * 0.075
    d.rectangle((cx - lw, top_y - gh - lh, cx + lw, top_y - gh),
                fill=235 if lit else 120)
    for k in (-0.45, 0.0, 0.45):
        d.line([(cx + k * lw * 2, top_y - gh - lh), (cx + k * lw * 2, top_y - gh)],
               fill=dark, width=max(1, round(lw * 0.12)))
    d.pieslice((cx - lw * 1.1, top_y - gh - lh - lw * 1.1,
                cx + lw * 1.1, top_y - gh - lh + lw * 1.1), 180, 360, fill=dark)
    d.line([(cx, top_y - gh - lh - lw * 1.1), (cx, top_y - gh - lh - lw * 1.6)],
           fill=dark, width=max(1, round(lw * 0.15)))
    # door
    dw = base_hw * 0.18
    d.rectangle((cx - dw, base_y - height * 0.07, cx + dw, base_y), fill=dark)
    return top_y - gh - lh / 2


def lighthouse_from_marsh():
    W, H = 800 * SS, 1000 * SS
    hy = H * 0.64
    rng = random.Random(202)
    img = vgrad(W, H, [(0, 112), (0.64, 206), (0.6401, 96), (1, 58)])
    d = ImageDraw.Draw(img)
    # distant land strip
    pts = [(0, hy)]
    for i in range(21):
        x = W * i / 20
        pts.append((x, hy - H * (0.006 + 0.004 * math.sin(i * 1.7))))
    pts.append((W, hy))
    d.polygon(pts, fill=84)
    # cottage and tower
    cx = W * 0.6
    d.rectangle((cx - W * 0.17, hy - H * 0.05, cx - W * 0.06, hy), fill=70)
    d.polygon([(cx - W * 0.18, hy - H * 0.05), (cx - W * 0.115, hy - H * 0.085),
               (cx - W * 0.05, hy - H * 0.05)], fill=52)
    lamp_y = lighthouse_tower(d, img, cx, hy + H * 0.004, H * 0.42,
                              W * 0.05, W * 0.032)
    # faint beam to the left
    shade(img, 245, lambda dd, f: dd.polygon(
        [(cx, lamp_y - 6 * SS), (0, lamp_y - H * 0.09), (0, lamp_y + H * 0.05),
         (cx, lamp_y + 6 * SS)], fill=f), 0.22, 10 * SS)
    glow(img, cx, lamp_y, W * 0.03, 0.7)
    # a pale winding creek through the marsh
    top, bot = hy + H * 0.05, H
    left, right = [], []
    steps = 40
    for i in range(steps + 1):
        t = i / steps
        y = top + (bot - top) * t
        xc = W * (0.55 + 0.18 * math.sin(t * 4.2 + 0.5) * (0.3 + t))
        hw = W * (0.006 + 0.1 * t * t)
        left.append((xc - hw, y))
        right.append((xc + hw, y))
    d.polygon(left + right[::-1], fill=178)
    keep_clear = Image.new("L", (W, H), 0)
    ImageDraw.Draw(keep_clear).polygon(left + right[::-1], fill=255)
    grass(d, rng, W, hy + H * 0.01, H, 2600, light=(22, 75), hmax=0.45,
          avoid=keep_clear)
    finish(img, "lighthouse-from-marsh.png", vignette=0.45)


def lantern_room():
    W, H = 1200 * SS, 800 * SS
    img = vgrad(W, H, [(0, 30), (1, 12)])
    d = ImageDraw.Draw(img)
    # glazing of the lantern behind: diagonal astragals over dim panes
    for i in range(6):
        x0 = W * (i / 6)
        d.rectangle((x0 + 8 * SS, H * 0.08, x0 + W / 6 - 8 * SS, H * 0.78), fill=36)
    for k in range(-8, 14):
        x = W * k / 8
        d.line([(x, H * 0.08), (x + W * 0.35, H * 0.78)], fill=22, width=5 * SS)
        d.line([(x + W * 0.35, H * 0.08), (x, H * 0.78)], fill=22, width=5 * SS)
    d.rectangle((0, H * 0.78, W, H), fill=18)
    d.line([(0, H * 0.78), (W, H * 0.78)], fill=60, width=3 * SS)
    cx, cy = W * 0.5, H * 0.44
    # two opposed beams
    for sgn in (-1, 1):
        edge = 0 if sgn < 0 else W
        shade(img, 240, lambda dd, f, edge=edge: dd.polygon(
            [(cx, cy - 30 * SS), (edge, cy - H * 0.2), (edge, cy + H * 0.14),
             (cx, cy + 30 * SS)], fill=f), 0.33, 18 * SS)
    # the lens: a barrel of horizontal prisms
    hh, hw = H * 0.3, W * 0.105
    barrel = []
    for i in range(41):
        t = -1 + 2 * i / 40
        barrel.append((cx + hw * (0.72 + 0.28 * math.sqrt(1 - t * t)), cy + hh * t))
    barrel += [(2 * cx - x, y) for x, y in barrel[::-1]]
    bands = Image.new("L", (W, H), 70)
    bd = ImageDraw.Draw(bands)
    nb = 22
    for i in range(nb):
        y0 = cy - hh + 2 * hh * i / nb
        y1 = y0 + 2 * hh / nb
        mid = abs((i + 0.5) / nb - 0.5) * 2
        bd.rectangle((0, y0, W, y0 + (y1 - y0) * 0.55), fill=round(215 - 120 * mid))
        bd.rectangle((0, y0 + (y1 - y0) * 0.55, W, y1), fill=round(90 - 40 * mid))
    # vertical panel joints
    for k in (-0.6, -0.2, 0.2, 0.6):
        bd.line([(cx + k * hw, 0), (cx + k * hw, H)], fill=40, width=3 * SS)
    mask = Image.new("L", (W, H), 0)
    ImageDraw.Draw(mask).polygon(barrel, fill=255)
    img.paste(bands, (0, 0), mask)
    # bullseye
    for r, v in ((hw * 0.55, 150), (hw * 0.42, 200), (hw * 0.3, 235), (hw * 0.16, 255)):
        d.ellipse((cx - r, cy - r, cx + r, cy + r), fill=v)
    glow(img, cx, cy, hw * 0.9, 0.55)
    # pedestal
    d.polygon([(cx - hw * 0.55, cy + hh), (cx + hw * 0.55, cy + hh),
               (cx + hw * 0.8, H * 0.9), (cx - hw * 0.8, H * 0.9)], fill=42)
    d.rectangle((cx - hw * 0.95, H * 0.9, cx + hw * 0.95, H * 0.93), fill=30)
    # a brass rail
    d.line([(0, H * 0.7), (W, H * 0.7)], fill=80, width=4 * SS)
    for k in range(1, 12):
        d.line([(W * k / 12, H * 0.7), (W * k / 12, H * 0.78)], fill=62, width=3 * SS)
    finish(img, "lantern-room.png", vignette=0.5)


def ada_at_window():
    W, H = 1200 * SS, 800 * SS
    img = vgrad(W, H, [(0, 44), (1, 20)])
    d = ImageDraw.Draw(img)
    x0, x1, y0, y1 = W * 0.36, W * 0.70, H * 0.14, H * 0.68
    glow_box = (x0 - 30 * SS, y0 - 30 * SS, x1 + 30 * SS, y1 + 60 * SS)
    shade(img, 150, lambda dd, f: dd.rectangle(glow_box, fill=f), 0.45, 40 * SS)
    view = vgrad(round(x1 - x0), round(y1 - y0),
                 [(0, 212), (0.62, 238), (0.6201, 150), (1, 118)])
    vd = ImageDraw.Draw(view)
    vw, vh = view.size
    vd.polygon([(0, vh * 0.62), (vw * 0.3, vh * 0.6), (vw * 0.55, vh * 0.615),
                (vw, vh * 0.605), (vw, vh * 0.62)], fill=126)
    # far tiny marker post and creek in the view
    vd.line([(vw * 0.82, vh * 0.62), (vw * 0.82, vh * 0.55)], fill=90, width=2 * SS)
    vd.polygon([(vw * 0.1, vh), (vw * 0.45, vh * 0.7), (vw * 0.52, vh * 0.7),
                (vw * 0.3, vh)], fill=176)
    img.paste(view, (round(x0), round(y0)))
    # frame and mullions
    fw = 14 * SS
    d.rectangle((x0 - fw, y0 - fw, x1 + fw, y0), fill=30)
    d.rectangle((x0 - fw, y1, x1 + fw, y1 + fw), fill=30)
    d.rectangle((x0 - fw, y0, x0, y1), fill=30)
    d.rectangle((x1, y0, x1 + fw, y1), fill=30)
    mx, my = (x0 + x1) / 2, (y0 + y1) / 2
    d.rectangle((mx - 5 * SS, y0, mx + 5 * SS, y1), fill=28)
    d.rectangle((x0, my - 5 * SS, x1, my + 5 * SS), fill=28)
    # sill catching the light
    d.rectangle((x0 - 40 * SS, y1 + fw, x1 + 40 * SS, y1 + fw + 16 * SS), fill=92)
    # curtain at left
    d.polygon([(x0 - 70 * SS, y0 - 40 * SS), (x0 + 10 * SS, y0 - 40 * SS),
               (x0 - 5 * SS, y1 + 40 * SS), (x0 - 90 * SS, y1 + 60 * SS)], fill=26)
    for k in range(4):
        xx = x0 - 60 * SS + k * 16 * SS
        d.line([(xx, y0 - 30 * SS), (xx - 10 * SS, y1 + 50 * SS)], fill=36, width=3 * SS)
    # the silhouette, seen from behind
    cx = W * 0.5
    sil = 14
    hr = H * 0.06
    hy = H * 0.41
    d.ellipse((cx - hr * 0.85, hy - hr, cx + hr * 0.85, hy + hr), fill=sil)
    d.ellipse((cx - hr * 0.45, hy - hr * 1.15, cx + hr * 0.45, hy - hr * 0.35), fill=sil)
    d.rectangle((cx - hr * 0.35, hy + hr * 0.6, cx + hr * 0.35, hy + hr * 1.6), fill=sil)
    d.polygon([(cx - W * 0.1, hy + hr * 2.25), (cx + W * 0.1, hy + hr * 2.25),
               (cx + W * 0.085, H * 0.72), (cx + W * 0.12, H), (cx - W * 0.12, H),
               (cx - W * 0.085, H * 0.72)], fill=sil)
    d.chord((cx - W * 0.1, hy + hr * 1.3, cx + W * 0.1, hy + hr * 3.2), 180, 360,
            fill=sil)
    finish(img, "ada-at-window.jpg", sepia=True, grain=10, seed=404, vignette=0.45)


def causeway_long_take():
    W, H = 1200 * SS, 800 * SS
    rng = random.Random(505)
    img = vgrad(W, H, [(0, 40), (0.45, 92), (0.5, 98), (0.55, 80), (1, 20)])
    d = ImageDraw.Draw(img)
    vx, vy = W * 0.56, H * 0.5
    # ripples on the water
    for _ in range(260):
        y = vy + (H - vy) * (rng.random() ** 1.4)
        depth = (y - vy) / (H - vy)
        half = W * (0.01 + 0.05 * depth) * rng.uniform(0.3, 1.0)
        x = rng.uniform(0, W)
        d.line([(x - half, y), (x + half, y)], fill=44 + rng.randint(0, 36),
               width=max(1, round(SS * (0.5 + 2 * depth))))
    # causeway in perspective
    xl0, xr0 = W * 0.18, W * 0.66
    d.polygon([(xl0, H), (xr0, H), (vx + 4 * SS, vy), (vx - 4 * SS, vy)], fill=36)
    # water washing over the stones
    for _ in range(120):
        s = rng.random() ** 1.3
        y = vy + (H - vy) * s
        xl = vx + (xl0 - vx) * s
        xr = vx + (xr0 - vx) * s
        a = rng.uniform(xl, xr)
        L = (xr - xl) * rng.uniform(0.05, 0.25)
        d.line([(a, y), (min(xr, a + L), y)], fill=58 + rng.randint(0, 20),
               width=max(1, round(SS * (0.5 + 2 * s))))
    # marker posts along the left edge
    for s in (0.92, 0.62, 0.42, 0.29, 0.2, 0.14, 0.095, 0.065):
        x = vx + (xl0 - vx) * s - 14 * SS * s
        y = vy + (H - vy) * s
        ph = H * 0.32 * s
        pw = max(SS, 16 * SS * s)
        v = round(18 + (1 - s) * 60)
        d.rectangle((x - pw / 2, y - ph, x + pw / 2, y + 4 * SS * s), fill=v)
    # fog over the far distance
    shade(img, 104, lambda dd, f: dd.rectangle((0, H * 0.38, W, H * 0.6), fill=f),
          0.75, 40 * SS)
    shade(img, 96, lambda dd, f: dd.rectangle((0, 0, W, H * 0.45), fill=f),
          0.35, 60 * SS)
    # the lantern and the walker
    s = 0.24
    lx = vx + ((xl0 + xr0) / 2 - vx) * s + 10 * SS
    ly = vy + (H - vy) * s
    fh = H * 0.085
    shade(img, 200, lambda dd, f: dd.rectangle(
        (lx - 2 * SS, ly, lx + 2 * SS, ly + H * 0.14), fill=f), 0.35, 4 * SS)
    d2 = ImageDraw.Draw(img)
    figure_standing(d2, lx - 9 * SS, ly, fh, 22)
    glow(img, lx + 3 * SS, ly - fh * 0.45, H * 0.05, 0.55)
    glow(img, lx + 3 * SS, ly - fh * 0.45, 4 * SS, 1.0, 1.5 * SS, 255)
    finish(img, "causeway-long-take.png", grain=0, vignette=0.55)


def fog_bell():
    W, H = 1200 * SS, 800 * SS
    rng = random.Random(606)
    hy = H * 0.58
    img = vgrad(W, H, [(0, 198), (0.58, 226), (0.5801, 196), (0.8, 176), (1, 150)])
    d = ImageDraw.Draw(img)
    # shingle
    for _ in range(2200):
        y = H * 0.8 + H * 0.2 * (rng.random() ** 0.7)
        x = rng.uniform(0, W)
        r = SS * (1 + 3 * (y - H * 0.8) / (H * 0.2)) * rng.uniform(0.6, 1.4)
        d.ellipse((x - r * 1.4, y - r, x + r * 1.4, y + r), fill=110 + rng.randint(0, 50))
    # faint far post
    d.rectangle((W * 0.14, hy - H * 0.08, W * 0.145, hy + H * 0.01), fill=172)
    # frame
    px0, px1, top, foot = W * 0.41, W * 0.59, H * 0.26, H * 0.86
    pw = 16 * SS
    for px in (px0, px1):
        d.rectangle((px - pw / 2, top, px + pw / 2, foot), fill=62)
    d.rectangle((px0 - 40 * SS, top - 14 * SS, px1 + 40 * SS, top + 6 * SS), fill=58)
    for px, sg in ((px0, -1), (px1, 1)):
        d.line([(px, top + 60 * SS), (px + sg * 80 * SS, foot)], fill=70, width=10 * SS)
    # the bell
    bx, btop = W * 0.5, top + 40 * SS
    d.line([(bx, top + 6 * SS), (bx, btop)], fill=50, width=5 * SS)
    bh = H * 0.2
    prof = []
    for i in range(31):
        t = i / 30
        hw = bh * (0.2 + 0.12 * t + 0.26 * t ** 4)
        prof.append((bx + hw, btop + bh * 0.12 + bh * t))
    d.pieslice((bx - bh * 0.2, btop, bx + bh * 0.2, btop + bh * 0.26), 180, 360, fill=46)
    d.polygon(prof + [(2 * bx - x, y) for x, y in prof[::-1]], fill=46)
    d.rectangle((bx - bh * 0.6, btop + bh * 1.1, bx + bh * 0.6, btop + bh * 1.14), fill=40)
    d.ellipse((bx - 12 * SS, btop + bh * 1.14, bx + 12 * SS, btop + bh * 1.14 + 24 * SS),
              fill=40)
    # rope hanging from the wheel
    d.line([(bx + bh * 0.3, btop + bh * 0.2), (bx + bh * 0.45, foot - 40 * SS)],
           fill=80, width=3 * SS)
    # drifting fog bands
    for i in range(7):
        y = H * (0.15 + 0.1 * i)
        shade(img, 232, lambda dd, f, y=y, i=i: dd.ellipse(
            (W * (-0.2 + 0.07 * i), y - H * 0.04, W * (0.7 + 0.08 * i), y + H * 0.04),
            fill=f), 0.32, 30 * SS)
    finish(img, "fog-bell.png", vignette=0.3)


def cafe_scene():
    W, H = 1200 * SS, 800 * SS
    rng = random.Random(707)
    img = vgrad(W, H, [(0, 52), (0.75, 34), (0.7501, 26), (1, 18)])
    d = ImageDraw.Draw(img)
    x0, x1, y0, y1 = W * 0.28, W * 0.72, H * 0.12, H * 0.58
    shade(img, 170, lambda dd, f: dd.rectangle((x0, y0, x1, y1), fill=f), 0.5, 40 * SS)
    win = vgrad(round(x1 - x0), round(y1 - y0), [(0, 236), (0.7, 222), (1, 196)])
    wd = ImageDraw.Draw(win)
    ww, wh = win.size
    # street beyond: a dim roofline
    wd.polygon([(0, wh * 0.78), (ww * 0.2, wh * 0.78), (ww * 0.26, wh * 0.66),
                (ww * 0.34, wh * 0.78), (ww * 0.7, wh * 0.74), (ww, wh * 0.76),
                (ww, wh), (0, wh)], fill=168)
    win = win.filter(ImageFilter.GaussianBlur(3 * SS))  # steamed glass
    img.paste(win, (round(x0), round(y0)))
    for k in range(1, 4):
        x = x0 + (x1 - x0) * k / 4
        d.rectangle((x - 4 * SS, y0, x + 4 * SS, y1), fill=40)
    d.rectangle((x0, (y0 + y1) / 2 - 4 * SS, x1, (y0 + y1) / 2 + 4 * SS), fill=40)
    d.rectangle((x0 - 10 * SS, y0 - 10 * SS, x1 + 10 * SS, y0), fill=36)
    d.rectangle((x0 - 10 * SS, y1, x1 + 10 * SS, y1 + 12 * SS), fill=36)
    # hanging lamp
    lx, ly = W * 0.5, H * 0.24
    d.line([(lx, 0), (lx, ly)], fill=20, width=3 * SS)
    shade(img, 230, lambda dd, f: dd.polygon(
        [(lx - 40 * SS, ly + 40 * SS), (lx + 40 * SS, ly + 40 * SS),
         (lx + W * 0.2, H * 0.74), (lx - W * 0.2, H * 0.74)], fill=f), 0.16, 20 * SS)
    d.polygon([(lx - 14 * SS, ly), (lx + 14 * SS, ly), (lx + 46 * SS, ly + 40 * SS),
               (lx - 46 * SS, ly + 40 * SS)], fill=22)
    glow(img, lx, ly + 44 * SS, 22 * SS, 0.9, 8 * SS, 250)
    # table
    ty = H * 0.7
    d.rectangle((lx - 8 * SS, ty, lx + 8 * SS, H * 0.93), fill=24)
    d.ellipse((lx - 70 * SS, H * 0.915, lx + 70 * SS, H * 0.945), fill=22)
    d.ellipse((lx - W * 0.17, ty - H * 0.035, lx + W * 0.17, ty + H * 0.035), fill=96)
    d.ellipse((lx - W * 0.17, ty - H * 0.02, lx + W * 0.17, ty + H * 0.045), fill=30)
    d.ellipse((lx - W * 0.165, ty - H * 0.04, lx + W * 0.165, ty + H * 0.028), fill=104)
    for cxp in (lx - 60 * SS, lx + 50 * SS):
        d.rectangle((cxp - 12 * SS, ty - 26 * SS, cxp + 12 * SS, ty - 6 * SS), fill=34)
        d.ellipse((cxp - 12 * SS, ty - 30 * SS, cxp + 12 * SS, ty - 22 * SS), fill=44)
    # two seated figures facing each other
    for sx, facing in ((W * 0.3, 1), (W * 0.7, -1)):
        hr = H * 0.05
        hx, hyy = sx + facing * 10 * SS, H * 0.44
        # chair back
        bxx = sx - facing * W * 0.07
        d.rectangle((bxx - 8 * SS, H * 0.45, bxx + 8 * SS, H * 0.95), fill=16)
        d.ellipse((hx - hr * 0.9, hyy - hr, hx + hr * 0.9, hyy + hr), fill=14)
        d.polygon([(sx - W * 0.06, H * 0.52), (sx + W * 0.06, H * 0.52),
                   (sx + W * 0.075, H * 0.8), (sx - W * 0.075, H * 0.8)], fill=14)
        d.ellipse((sx - W * 0.065, H * 0.49, sx + W * 0.065, H * 0.58), fill=14)
        # forearm on the table
        d.polygon([(sx + facing * W * 0.03, H * 0.6), (sx + facing * W * 0.05, H * 0.58),
                   (sx + facing * W * 0.13, H * 0.675), (sx + facing * W * 0.11, H * 0.69)],
                  fill=14)
        d.rectangle((sx - W * 0.06, H * 0.8, sx + W * 0.05, H * 0.98), fill=16)
    # background figures at the edges
    figure_standing(d, W * 0.06, H * 1.02, H * 0.78, 24)
    figure_standing(d, W * 0.95, H * 1.04, H * 0.74, 22)
    figure_standing(d, W * 0.16, H * 0.86, H * 0.5, 30)
    # dust in the lamplight
    for _ in range(60):
        x = lx + rng.gauss(0, W * 0.06)
        y = rng.uniform(H * 0.3, H * 0.62)
        r = SS * rng.uniform(0.6, 1.4)
        d.ellipse((x - r, y - r, x + r, y + r), fill=150)
    finish(img, "caf\u00e9 scene.jpg", sepia=True, grain=12, seed=707, vignette=0.5)


def tide_channels():
    W, H = 1200 * SS, 800 * SS
    rng = random.Random(808)
    hy = H * 0.14
    img = vgrad(W, H, [(0, 206), (0.14, 234), (0.1401, 100), (0.4, 82), (1, 50)])
    d = ImageDraw.Draw(img)
    d.polygon([(0, hy), (W * 0.3, hy - H * 0.01), (W * 0.65, hy - H * 0.006),
               (W, hy - H * 0.012), (W, hy + H * 0.004), (0, hy + H * 0.004)], fill=70)
    # mud texture
    for _ in range(900):
        y = hy + (H - hy) * (rng.random() ** 0.8)
        depth = (y - hy) / (H - hy)
        x = rng.uniform(0, W)
        half = W * (0.003 + 0.02 * depth) * rng.uniform(0.3, 1)
        d.line([(x - half, y), (x + half, y)], fill=60 + rng.randint(0, 40),
               width=max(1, round(SS * depth * 2)))

    def channel(x_start, y_start, x_end, y_end, width0, phase, amp, freq, val):
        pts = []
        n = 90
        for i in range(n + 1):
            t = i / n
            y = y_start + (y_end - y_start) * t
            depth = (y - hy) / (H - hy)
            xb = x_start + (x_end - x_start) * t
            x = xb + amp * W * depth * math.sin(freq * t * math.pi + phase)
            pts.append((x, y, max(SS, width0 * (0.08 + depth))))
        for (xa, ya, wa), (xb2, yb, wb) in zip(pts, pts[1:]):
            d.line([(xa, ya), (xb2, yb)], fill=val, width=round((wa + wb) / 2))
            r = wb / 2
            d.ellipse((xb2 - r, yb - r, xb2 + r, yb + r), fill=val)
        return pts

    main = channel(W * 0.44, H, W * 0.62, hy + H * 0.01, 70 * SS, 0.4, 0.22, 3.2, 206)
    for j in range(9):
        i = rng.randint(8, 80)
        x, y, wdt = main[i]
        side = -1 if j % 2 else 1
        x_end = x + side * W * rng.uniform(0.25, 0.6)
        y_end = y - (y - hy) * rng.uniform(0.2, 0.6)
        channel(x, y, x_end, y_end, wdt * 0.9, rng.uniform(0, 6), 0.08,
                rng.uniform(2, 4), 188 + rng.randint(-10, 10))
        if j % 3 == 0:
            channel(x_end, y_end, x_end + side * W * 0.15, y_end - H * 0.05,
                    wdt * 0.5, 1.0, 0.04, 2.0, 180)
    finish(img, "tide-channels.jpg", sepia=True, grain=9, seed=808, vignette=0.4)


def final_shot():
    W, H = 1200 * SS, 800 * SS
    rng = random.Random(909)
    hy = H * 0.5
    img = vgrad(W, H, [(0, 168), (0.5, 240), (0.5001, 188), (1, 72)])
    d = ImageDraw.Draw(img)
    glow(img, W * 0.85, hy, H * 0.18, 0.45)
    # land strip on the horizon
    d.polygon([(0, hy), (W * 0.4, hy - H * 0.008), (W * 0.8, hy - H * 0.01),
               (W, hy - H * 0.006), (W, hy + 2 * SS), (0, hy + 2 * SS)], fill=118)
    # a pale channel leading to the tower
    tx = W * 0.64
    left, right = [], []
    for i in range(41):
        t = i / 40
        y = hy + (H - hy) * t
        xc = tx + (W * 0.35 - tx) * t + W * 0.05 * math.sin(t * 5) * t
        hw = W * (0.002 + 0.16 * t * t)
        left.append((xc - hw, y))
        right.append((xc + hw, y))
    d.polygon(left + right[::-1], fill=214)
    # wet sheen and ripples on the mud
    for _ in range(160):
        y = hy + (H - hy) * (rng.random() ** 1.2)
        depth = (y - hy) / (H - hy)
        x = rng.uniform(0, W)
        half = W * (0.005 + 0.06 * depth) * rng.uniform(0.2, 1)
        shade(img, 205, lambda dd, f, x=x, y=y, half=half, depth=depth: dd.ellipse(
            (x - half, y - SS * (1 + 4 * depth), x + half, y + SS * (1 + 4 * depth)),
            fill=f), 0.35)
    d = ImageDraw.Draw(img)
    lamp_y = lighthouse_tower(d, img, tx, hy + 2 * SS, H * 0.15, W * 0.014, W * 0.009,
                              body=196, dark=70, lit=True)
    shade(img, 255, lambda dd, f: dd.polygon(
        [(tx, lamp_y - 2 * SS), (0, H * 0.05), (0, H * 0.17), (tx, lamp_y + 2 * SS)],
        fill=f), 0.2, 8 * SS)
    finish(img, "final-shot.png", vignette=0.3)


def salt_pans():
    W, H = 1200 * SS, 800 * SS
    rng = random.Random(1010)
    hy = H * 0.44
    img = vgrad(W, H, [(0, 176), (0.44, 230), (0.4401, 150), (1, 92)])
    d = ImageDraw.Draw(img)
    cx, f = W * 0.5, W * 0.9

    def p(X, Z):
        return (cx + X * f / Z, hy + 0.6 * f / Z)

    # boiling house in the distance
    bx, by = p(1.6, 12)
    d.rectangle((bx - 60 * SS, by - 50 * SS, bx + 60 * SS, by), fill=70)
    d.polygon([(bx - 70 * SS, by - 50 * SS), (bx, by - 85 * SS), (bx + 70 * SS, by - 50 * SS)],
              fill=55)
    d.rectangle((bx + 30 * SS, by - 120 * SS, bx + 44 * SS, by - 60 * SS), fill=55)
    for k in range(6):
        shade(img, 200, lambda dd, f2, k=k: dd.ellipse(
            (bx + 37 * SS - (20 + 14 * k) * SS + k * 30 * SS, by - (130 + 36 * k) * SS,
             bx + 37 * SS + (20 + 14 * k) * SS + k * 30 * SS, by - (100 + 30 * k) * SS),
            fill=f2), 0.35 - 0.04 * k, 10 * SS)
    d = ImageDraw.Draw(img)
    # pans: a grid of shallow rectangles on the ground plane
    for row in range(5):
        z0 = 1.2 + row * 1.6
        z1 = z0 + 1.2
        for col in range(-4, 4):
            x0 = col * 1.4 + 0.1
            x1 = x0 + 1.2
            quad = [p(x0, z0), p(x1, z0), p(x1, z1), p(x0, z1)]
            d.polygon(quad, fill=72)
            inner = [p(x0 + 0.05, z0 + 0.04), p(x1 - 0.05, z0 + 0.04),
                     p(x1 - 0.05, z1 - 0.04), p(x0 + 0.05, z1 - 0.04)]
            d.polygon(inner, fill=200 + rng.randint(-12, 12))
    # the kneeling figure at the near edge of a pan
    kx, ky = p(-0.7, 2.6)
    s = H * 0.22
    sil = 24
    d.ellipse((kx + s * 0.25, ky - s * 0.95, kx + s * 0.45, ky - s * 0.75), fill=sil)
    d.polygon([(kx - s * 0.05, ky - s * 0.75), (kx + s * 0.3, ky - s * 0.8),
               (kx + s * 0.42, ky - s * 0.6), (kx + s * 0.1, ky - s * 0.25),
               (kx - s * 0.25, ky - s * 0.3)], fill=sil)
    d.polygon([(kx - s * 0.3, ky - s * 0.35), (kx + s * 0.05, ky - s * 0.3),
               (kx + s * 0.2, ky), (kx - s * 0.4, ky)], fill=sil)
    d.line([(kx + s * 0.3, ky - s * 0.6), (kx + s * 0.55, ky - s * 0.25)],
           fill=sil, width=round(s * 0.06))
    d.line([(kx + s * 0.55, ky - s * 0.25), (kx + s * 0.75, ky - s * 0.12)],
           fill=sil, width=round(s * 0.03))
    # the standing figure a few paces off
    fx, fy = p(1.05, 2.7)
    figure_standing(d, fx, fy, H * 0.36, 30)
    finish(img, "salt-pans.jpg", sepia=True, grain=9, seed=1010, vignette=0.4)


def spiral_stair():
    W, H = 800 * SS, 1000 * SS
    img = Image.new("L", (W, H), 16)
    d = ImageDraw.Draw(img)
    cx, cy = W * 0.52, H * 0.34
    R0 = H * 0.95
    n = 64
    for i in range(n):
        r = R0 * (0.945 ** i)
        a0 = -90 + i * 24
        v = round(40 + 150 * (i / n) ** 1.5) if i % 2 == 0 else round(24 + 110 * (i / n) ** 1.5)
        ox = cx + (W * 0.04) * (1 - i / n) * math.cos(i * 0.2)
        d.pieslice((ox - r, cy - r, ox + r, cy + r), a0, a0 + 30, fill=v)
        d.pieslice((ox - r, cy - r, ox + r, cy + r), a0 + 30, a0 + 34, fill=max(0, v - 30))
    # the handrail as a spiral line
    rail = []
    for k in range(n * 8):
        i = k / 8
        r = R0 * (0.945 ** i) * 0.98
        a = math.radians(-90 + i * 24 + 30)
        rail.append((cx + r * math.cos(a), cy + r * math.sin(a)))
    d.line(rail, fill=120, width=4 * SS, joint="curve")
    ro = R0 * (0.945 ** n) * 1.6
    d.ellipse((cx - ro, cy - ro, cx + ro, cy + ro), fill=250)
    glow(img, cx, cy, ro * 3, 0.5)
    # dark figure on the stair, seen from below
    fx, fy = W * 0.7, H * 0.6
    d = ImageDraw.Draw(img)
    figure_standing(d, fx, fy, H * 0.22, 8)
    finish(img, "spiral-stair.png", vignette=0.6)


def singer_portrait():
    W, H = 800 * SS, 1000 * SS
    img = vgrad(W, H, [(0, 24), (1, 10)])
    mask = Image.new("L", (W, H), 0)
    m = ImageDraw.Draw(mask)
    cx, cy = W * 0.47, H * 0.4
    rx, ry = W * 0.15, H * 0.115
    rot = math.radians(-24)  # head bowed forward, face to the left
    # shoulders
    m.ellipse((W * 0.08, H * 0.56, W * 1.3, H * 1.36), fill=255)
    # neck: from under the skull straight down to the shoulders
    (n1x, n1y), (n2x, n2y) = rotate_pts([(-rx * 0.15, ry * 0.75), (rx * 0.75, ry * 0.45)],
                                        cx, cy, rot)
    m.polygon([(n1x, n1y), (n2x, n2y), (n2x + W * 0.08, H * 0.64),
               (n1x - W * 0.03, H * 0.64)], fill=255)
    # head, nose and chin
    m.polygon(ellipse_pts(cx, cy, rx, ry, rot), fill=255)
    nose = [(-rx * 0.97, -0.05 * ry), (-rx * 1.16, 0.3 * ry), (-rx * 0.93, 0.36 * ry)]
    m.polygon(rotate_pts(nose, cx, cy, rot), fill=255)
    (chx, chy), = rotate_pts([(-rx * 0.66, 0.7 * ry)], cx, cy, rot)
    m.ellipse((chx - rx * 0.3, chy - rx * 0.25, chx + rx * 0.3, chy + rx * 0.25), fill=255)
    # hair gathered in a bun at the back of the head
    (bx, by), = rotate_pts([(rx * 0.92, -0.3 * ry)], cx, cy, rot)
    m.ellipse((bx - rx * 0.32, by - rx * 0.32, bx + rx * 0.32, by + rx * 0.32), fill=255)
    light = hgrad(W, H, 215, 18)
    img.paste(light, (0, 0), mask)
    # the far side of the figure falls into shadow
    shade(img, 14, lambda dd, f: dd.rectangle((W * 0.66, 0, W, H), fill=f), 0.6, 70 * SS)
    # hairline and a closed eye
    d = ImageDraw.Draw(img)
    hair = rotate_pts([(rx * (0.9 * math.cos(a)), ry * (0.9 * math.sin(a)))
                       for a in [math.radians(190 + 4 * k) for k in range(30)]],
                      cx, cy, rot)
    hair = [(x + rx * 0.12, y) for x, y in hair]
    d.line(hair, fill=70, width=5 * SS, joint="curve")
    (ex, ey), = rotate_pts([(-rx * 0.58, 0.02 * ry)], cx, cy, rot)
    d.arc((ex - 16 * SS, ey - 8 * SS, ex + 16 * SS, ey + 8 * SS), 10, 170,
          fill=60, width=3 * SS)
    # rim light along the lit edge of the silhouette (not along the frame)
    edge = mask.filter(ImageFilter.FIND_EDGES)
    ImageDraw.Draw(edge).rectangle((0, 0, W - 1, H - 1), outline=0, width=4 * SS)
    edge = edge.filter(ImageFilter.GaussianBlur(2 * SS))
    left = hgrad(W, H, 255, 0).point(lambda v: 255 if v > 150 else 0)
    rim = ImageChops.multiply(edge, left)
    img.paste(235, (0, 0, W, H), rim)
    finish(img, "singer-portrait.png", vignette=0.5)


def marsh_grass():
    W, H = 1200 * SS, 800 * SS
    rng = random.Random(1313)
    hy = H * 0.46
    img = vgrad(W, H, [(0, 150), (0.46, 216), (0.4601, 110), (1, 40)])
    for i in range(14):
        y = H * (0.04 + 0.03 * i)
        x0 = rng.uniform(-0.3, 0.6) * W
        length = rng.uniform(0.5, 1.1) * W
        th = rng.uniform(0.004, 0.012) * H
        v = 232 if i % 2 else 128
        shade(img, v, lambda dd, f, x0=x0, y=y, length=length, th=th:
              dd.ellipse((x0, y - th, x0 + length, y + th), fill=f), 0.4, 5 * SS)
    d = ImageDraw.Draw(img)
    d.polygon([(0, hy), (W * 0.35, hy - H * 0.012), (W * 0.7, hy - H * 0.007),
               (W, hy - H * 0.014), (W, hy), (0, hy)], fill=96)
    grass(d, rng, W, hy, H, 6500, light=(24, 100), hmin=0.15, hmax=0.8,
          lean=(-0.12, 0.12), wmax=3.5)
    finish(img, "marsh-grass.png", vignette=0.35)


def cover():
    W, H = 1600 * SS, 2560 * SS
    rng = random.Random(2026)
    hy = H * 0.64
    img = vgrad(W, H, [(0, 40), (0.35, 110), (0.64, 214), (0.6401, 104),
                       (0.8, 66), (1, 28)])
    d = ImageDraw.Draw(img)
    # land strip
    d.polygon([(0, hy), (W * 0.3, hy - H * 0.006), (W * 0.75, hy - H * 0.004),
               (W, hy - H * 0.008), (W, hy + SS), (0, hy + SS)], fill=80)
    cx = W * 0.62
    lamp_y = lighthouse_tower(d, img, cx, hy + 4 * SS, H * 0.34, W * 0.055, W * 0.036)
    for sgn in (-1, 1):
        edge = 0 if sgn < 0 else W
        shade(img, 250, lambda dd, f, edge=edge, sgn=sgn: dd.polygon(
            [(cx, lamp_y - 8 * SS), (edge, lamp_y - H * (0.12 if sgn < 0 else 0.05)),
             (edge, lamp_y + H * (0.04 if sgn < 0 else 0.02)), (cx, lamp_y + 8 * SS)],
            fill=f), 0.28 if sgn < 0 else 0.16, 20 * SS)
    glow(img, cx, lamp_y, W * 0.05, 0.7)
    d = ImageDraw.Draw(img)
    # causeway curving in from the bottom left
    left, right = [], []
    for i in range(41):
        t = i / 40
        y = hy + (H - hy) * t
        xc = cx + (W * 0.25 - cx) * t + W * 0.08 * math.sin(t * 3)
        hw = W * (0.004 + 0.16 * t * t)
        left.append((xc - hw, y))
        right.append((xc + hw, y))
    d.polygon(left + right[::-1], fill=128)
    for i in range(4, 41, 3):
        x, y = left[i]
        ph = H * 0.07 * (i / 40) ** 2 + 4 * SS
        pw = max(2 * SS, 18 * SS * (i / 40) ** 2)
        d.rectangle((x - pw, y - ph, x, y), fill=36)
    # grass on both sides
    keep_clear = Image.new("L", (W, H), 0)
    ImageDraw.Draw(keep_clear).polygon(left + right[::-1], fill=255)
    grass(d, rng, W, hy + H * 0.01, H, 3600, light=(20, 70), hmax=0.3, wmax=4,
          avoid=keep_clear)
    # a small figure with a lantern on the causeway
    t = 0.55
    i = round(t * 40)
    fx = (left[i][0] + right[i][0]) / 2
    fy = left[i][1]
    d = ImageDraw.Draw(img)
    figure_standing(d, fx, fy, H * 0.06, 18)
    glow(img, fx + 14 * SS, fy - H * 0.03, H * 0.04, 0.6)
    glow(img, fx + 14 * SS, fy - H * 0.03, 6 * SS, 1.0, 2 * SS)
    finish(img, "cover.png", sepia=True, vignette=0.45)


STILLS = [
    harbour_at_dusk,
    lighthouse_from_marsh,
    lantern_room,
    ada_at_window,
    causeway_long_take,
    fog_bell,
    cafe_scene,
    tide_channels,
    final_shot,
    salt_pans,
    spiral_stair,
    singer_portrait,
    marsh_grass,
    cover,
]


def main():
    OUT.mkdir(exist_ok=True)
    for fn in STILLS:
        fn()
    for path in sorted(OUT.iterdir()):
        print(f"{path.stat().st_size:>9}  {path.name}")


if __name__ == "__main__":
    main()
