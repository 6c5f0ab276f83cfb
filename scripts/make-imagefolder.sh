#!/usr/bin/env bash
# Builds an ImageNet-like folder of real photographs for tests and benchmarks, without committing
# any image: the sample photos scikit-image and scikit-learn ship in their wheels, one class per
# photo, each image a random crop (25–100% of the area), flip and rescale to an ImageNet-typical
# 500×375 or 375×500, re-encoded as JPEG (quality 75–95).
#   scripts/make-imagefolder.sh DIR [IMAGES_PER_CLASS]     → DIR/train/<class>/*.JPEG, DIR/val/<class>/*.JPEG
set -euo pipefail
[ $# -ge 1 ] || { echo "usage: scripts/make-imagefolder.sh DIR [IMAGES_PER_CLASS (default 40)]" >&2; exit 2; }
out=$1 per_class=${2:-40}
python3 -c "import skimage, sklearn, PIL" 2>/dev/null \
  || python3 -m pip install --quiet scikit-image scikit-learn pillow \
  || python3 -m pip install --quiet --break-system-packages scikit-image scikit-learn pillow \
  || { echo "make-imagefolder.sh: cannot install scikit-image, scikit-learn and pillow with pip" >&2; exit 1; }
python3 - "$out" "$per_class" <<'PY'
import glob, os, random, sys
import numpy as np
from PIL import Image
import skimage, sklearn

out, per_class = sys.argv[1], int(sys.argv[2])
sources = sorted(glob.glob(os.path.join(os.path.dirname(sklearn.__file__), "datasets", "images", "*.jpg")))
sources += sorted(p for p in glob.glob(os.path.join(os.path.dirname(skimage.__file__), "data", "*"))
                  if p.lower().endswith((".png", ".jpg", ".jpeg")))
photos = []
for path in sources:
    image = Image.open(path).convert("RGB")
    if min(image.size) >= 256 and image.size not in [p[1].size for p in photos]:
        photos.append((os.path.splitext(os.path.basename(path))[0], image))
if len(photos) < 10:
    sys.exit(f"make-imagefolder.sh: found only {len(photos)} usable sample photos (need 10)")
rng = random.Random(7)
for split, count in (("train", per_class), ("val", max(1, per_class // 4))):
    for name, photo in photos:
        folder = os.path.join(out, split, name)
        os.makedirs(folder, exist_ok=True)
        for i in range(count):
            w, h = photo.size
            area = rng.uniform(0.25, 1.0) * w * h
            aspect = rng.uniform(3 / 4, 4 / 3)
            cw, ch = min(w, int((area * aspect) ** 0.5)), min(h, int((area / aspect) ** 0.5))
            x, y = rng.randint(0, w - cw), rng.randint(0, h - ch)
            crop = photo.crop((x, y, x + cw, y + ch))
            if rng.random() < 0.5:
                crop = crop.transpose(Image.FLIP_LEFT_RIGHT)
            size = (500, 375) if cw >= ch else (375, 500)
            crop.resize(size, Image.BILINEAR).save(os.path.join(folder, f"{name}_{i:04d}.JPEG"), quality=rng.randint(75, 95))
print(f"make-imagefolder.sh: {len(photos)} classes, {per_class} train + {max(1, per_class // 4)} val images each in {out}")
PY
