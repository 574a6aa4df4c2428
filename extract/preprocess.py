"""Page image clean-up before OCR, with OpenCV: orientation, deskew, scale, denoise, ruling lines, regions.

Each step is a pure function of a grayscale ``uint8`` array (0 = ink, 255 = paper) and returns a
new array or a measurement; ``scan.py`` chains them. OpenCV is imported inside the functions.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from numpy.typing import NDArray

    Gray = NDArray[Any]
    Blobs = NDArray[Any]

# The capital-letter height OCR reads at. tesseract's cost grows with the pixels it is given and
# it reads 7-8 pt at 300 dpi (cap ~20 px) as well as larger print, so 300 dpi pages (cap ~27 px)
# are scaled down to this and small print (faxes) up; within the tolerance a page is left as it is.
OCR_CAP_HEIGHT_PX = 20.0
OCR_SCALE_TOLERANCE = 0.05


@dataclass(frozen=True, slots=True)
class Rulings:
    """Ruling lines found on a page, as pixel boxes ``(x0, top, x1, bottom)``."""

    horizontal: tuple[tuple[int, int, int, int], ...]
    vertical: tuple[tuple[int, int, int, int], ...]


def gray_to_ink(gray: Gray) -> Gray:
    """A binary ink mask (255 = ink) by Otsu's threshold after a light blur against speckle."""
    import cv2

    blurred = cv2.GaussianBlur(gray, (3, 3), 0)
    _, ink = cv2.threshold(blurred, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    return ink


def half_ink(gray: Gray, local: bool = False) -> Gray:
    """The ink mask of the page at half resolution: enough to see text lines, skew and letter
    sizes, at a quarter of the pixels.

    Otsu's threshold; with ``local``, ink is what is clearly darker than its surroundings (a mean
    over ~4 cap heights): faint print beside a dark scan edge or shadow, which pulls Otsu's one
    page-wide threshold below it. (Not the default: on paper with JPEG noise and specks it finds
    more dirt.) No blur: at half resolution it would run the small letters of a receipt into one
    another, and their lines would look vertical.
    """
    import cv2

    half = cv2.resize(gray, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)
    if local:
        return cv2.adaptiveThreshold(half, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 51, 20)
    _, ink = cv2.threshold(half, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    return ink


def ink_to_line_direction(ink: Gray, blobs: Blobs) -> str:
    """``horizontal`` when text lines run left to right (upright or upside down), else ``vertical``.

    ``ink`` at half resolution and its ``blobs``. Smearing ink along the text direction merges
    letters into words, across it merges almost nothing (lines are further apart than letters),
    so the direction that leaves fewer blobs wins. Cheap, so tesseract's slow orientation detection
    runs only when this says ``vertical`` or the OCR result looks like an upside-down page.
    """
    import cv2

    if len(blobs) < 19:
        return "horizontal"
    sizes = sorted(blobs[:, 3].tolist() + blobs[:, 2].tolist())
    reach = max(3, int(sizes[len(sizes) // 2] * 0.6))

    def count(kernel_size: tuple[int, int]) -> int:
        kernel = cv2.getStructuringElement(cv2.MORPH_RECT, kernel_size)
        return int(cv2.connectedComponents(cv2.dilate(ink, kernel), connectivity=8)[0])

    return "horizontal" if count((reach, 1)) <= count((1, reach)) else "vertical"


def blobs_scaled(blobs: Blobs, factor: int, transpose: bool = False) -> Blobs:
    """Blobs measured on an image ``factor`` times smaller, in the full image's pixels; with
    ``transpose`` x and y swap (blobs of a sideways page, read as on the upright one)."""
    out = blobs.copy()
    out[:, :4] *= factor
    out[:, 4] *= factor * factor
    if transpose:
        out[:, [0, 1, 2, 3]] = out[:, [1, 0, 3, 2]]
    return out


def cap_to_ocr_scale(cap: float | None) -> float:
    """The factor that brings capitals to ``OCR_CAP_HEIGHT_PX`` (1.0 within the tolerance, or
    when the page has too few letters to measure)."""
    if cap is None:
        return 1.0
    scale = min(2.5, OCR_CAP_HEIGHT_PX / cap)
    return 1.0 if abs(scale - 1.0) <= OCR_SCALE_TOLERANCE else scale


def scaled(gray: Gray, scale: float) -> Gray:
    """The image resized by ``scale`` (area averaging down, cubic up)."""
    import cv2

    if scale == 1.0:
        return gray
    interpolation = cv2.INTER_AREA if scale < 1.0 else cv2.INTER_CUBIC
    return cv2.resize(gray, None, fx=scale, fy=scale, interpolation=interpolation)


def rotate_quadrant(gray: Gray, degrees: int) -> Gray:
    """The image turned clockwise by 0, 90, 180 or 270 degrees."""
    import cv2

    turns = {90: cv2.ROTATE_90_CLOCKWISE, 180: cv2.ROTATE_180, 270: cv2.ROTATE_90_COUNTERCLOCKWISE}
    degrees %= 360
    return gray if degrees == 0 else cv2.rotate(gray, turns[degrees])


def ink_to_skew(ink: Gray, max_degrees: float = 5.0) -> float:
    """The skew angle in degrees (counter-clockwise positive) that makes text lines horizontal.

    Measured by maximizing the sharpness of the row profile over candidate angles, coarse then
    fine (0.05 degree steps). The ink is cut into vertical strips whose row profiles are shifted
    by each strip's offset times the angle's sine and summed: the profile a rotation of the page
    would give, for all angles at once without rotating an image.
    """
    import cv2
    import numpy as np

    scale = min(1.0, 1000.0 / max(ink.shape))
    small = cv2.resize(ink, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    height, width = small.shape
    strips = max(1, min(40, width // 8))
    step = width // strips
    profiles = small[:, : strips * step].reshape(height, strips, step).sum(axis=2, dtype=np.float64)
    offsets = (np.arange(strips) + 0.5) * step - width / 2.0
    rows = np.arange(height, dtype=np.float64)

    def sharpness(angles: Any) -> Any:
        # Row y of the turned page gathers row y + offset * sin(angle) of each strip.
        sines = np.sin(np.radians(angles))[:, None]
        profile = np.zeros((len(angles), height))
        for k in range(strips):
            profile += np.interp(rows + offsets[k] * sines, rows, profiles[:, k], left=0.0, right=0.0)
        return np.square(np.diff(profile, axis=1)).sum(axis=1)

    coarse_angles = np.arange(-max_degrees, max_degrees + 0.01, 0.5)
    coarse = float(coarse_angles[int(np.argmax(sharpness(coarse_angles)))])
    fine_angles = np.arange(coarse - 0.5, coarse + 0.51, 0.05)
    fine = float(fine_angles[int(np.argmax(sharpness(fine_angles)))])
    return round(fine, 2)


def deskew_matrix(width: int, height: int, angle: float, scale: float) -> Any:
    """The 2x3 affine map from a ``width`` x ``height`` page to it rotated by ``angle`` degrees
    (counter-clockwise positive) about its centre and resized by ``scale``."""
    import cv2

    matrix = cv2.getRotationMatrix2D((width / 2.0, height / 2.0), angle, scale)
    matrix[0, 2] += (round(width * scale) - width) / 2.0
    matrix[1, 2] += (round(height * scale) - height) / 2.0
    return matrix


def deskew(gray: Gray, angle: float, scale: float = 1.0) -> Gray:
    """The image rotated by ``angle`` degrees (counter-clockwise positive) and resized by ``scale``
    in one interpolation (rotating an already resized page blurs thin strokes twice), paper-white
    border."""
    import cv2

    if abs(angle) < 0.05:
        return scaled(gray, scale)
    height, width = gray.shape
    matrix = deskew_matrix(width, height, angle, scale)
    size = (round(width * scale), round(height * scale))
    return cv2.warpAffine(gray, matrix, size, flags=cv2.INTER_CUBIC, borderValue=255)


def box_through(
    box: tuple[int, int, int, int], matrix: Any, width: int, height: int
) -> tuple[int, int, int, int]:
    """The box around ``box`` (x0, top, x1, bottom) mapped by the affine ``matrix``, inside a
    ``width`` x ``height`` image."""
    import numpy as np

    x0, top, x1, bottom = box
    corners = np.array([(x0, top, 1.0), (x1, top, 1.0), (x1, bottom, 1.0), (x0, bottom, 1.0)]) @ matrix.T
    low, high = corners.min(axis=0), corners.max(axis=0)
    return (
        max(0, int(low[0])),
        max(0, int(low[1])),
        min(width, int(np.ceil(high[0]))),
        min(height, int(np.ceil(high[1]))),
    )


def ink_to_blobs(ink: Gray) -> Blobs:
    """Connected ink components as rows ``(x, y, width, height, area)``; computed once per page."""
    import cv2

    _, _, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    return stats[1:, :5]


def blobs_to_cap_height(blobs: Blobs) -> float | None:
    """The height of capital letters and digits in pixels (upper quartile of letter-sized blobs)."""
    import numpy as np

    heights, widths = blobs[:, 3], blobs[:, 2]
    # Letters are taller than specks and narrower than rules; digits and capitals dominate statements.
    letters = heights[(heights >= 6) & (heights <= 120) & (widths <= heights * 2) & (widths >= 2)]
    if letters.size < 20:
        return None
    return float(np.percentile(letters, 75))


def ink_to_rulings(ink: Gray, min_fraction: float = 0.08, min_vertical_px: int | None = None) -> Rulings:
    """Horizontal and vertical ruling lines at least ``min_fraction`` of the page width/height long.

    ``min_vertical_px`` (a few cap heights: no glyph is that tall) also finds the short vertical
    edges of a boxed header bar, which tesseract otherwise reads into the header words as ``|``.
    """
    import cv2

    # Found at half resolution (4x fewer pixels to open), boxes scaled back, a pixel of slack each side.
    half = cv2.resize(ink, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)
    _, half = cv2.threshold(half, 100, 255, cv2.THRESH_BINARY)
    height, width = half.shape

    def lines(kernel_size: tuple[int, int]) -> tuple[tuple[int, int, int, int], ...]:
        kernel = cv2.getStructuringElement(cv2.MORPH_RECT, kernel_size)
        mask = cv2.morphologyEx(half, cv2.MORPH_OPEN, kernel)
        count, _, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
        boxes = []
        for i in range(1, count):
            x, y, w, h = (int(v) for v in stats[i, :4])
            boxes.append((2 * x - 1, 2 * y - 1, 2 * (x + w) + 1, 2 * (y + h) + 1))
        return tuple(sorted(boxes, key=lambda b: (b[1], b[0])))

    horizontal = lines((max(10, int(width * min_fraction)), 1))
    tall = int(height * min_fraction)
    if min_vertical_px is not None:
        tall = min(tall, min_vertical_px // 2)
    vertical = lines((1, max(10, tall)))
    return Rulings(horizontal=horizontal, vertical=vertical)


def remove_rulings(gray: Gray, rulings: Rulings, thickness_pad: int = 2) -> Gray:
    """The image with ruling lines painted over in paper white; tesseract misreads rules as ``|``, ``_``."""
    out = gray.copy()
    for x0, top, x1, bottom in rulings.horizontal:
        if bottom - top <= 12:  # thick bars are shaded headers with text inside: leave them
            out[max(0, top - thickness_pad) : bottom + thickness_pad, x0:x1] = 255
    for x0, top, x1, bottom in rulings.vertical:
        if x1 - x0 <= 12:
            out[top:bottom, max(0, x0 - thickness_pad) : x1 + thickness_pad] = 255
    return out


def gray_to_despeckled(gray: Gray, cap_height: float) -> Gray:
    """The image with isolated specks (scanner dust, fax noise) painted paper white.

    A speck is an ink component at most a quarter of the cap height across with no larger ink
    within 0.6 cap heights: decimal points, i-dots and hyphens sit beside their glyphs and stay.
    tesseract reads lone specks as ``.``, ``'`` or runs of dashes that split and join words.
    """
    import cv2
    import numpy as np

    # Thresholded without the blur of gray_to_ink: a blur fades one-pixel specks out of the mask
    # but not out of the image tesseract reads.
    _, ink = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    _, labels, stats, centroids = cv2.connectedComponentsWithStats(ink, connectivity=8)
    limit = max(2.0, cap_height / 4.0)
    small = (stats[:, cv2.CC_STAT_WIDTH] <= limit) & (stats[:, cv2.CC_STAT_HEIGHT] <= limit)
    small[0] = False  # the background
    if not small.any():
        return gray
    # "Near larger ink" is judged at a quarter of the resolution: a full-resolution dilation by
    # the reach costs more than the OCR time the clean-up saves.
    ids = np.flatnonzero(small)
    boxes = stats[ids, :4].tolist()
    large = ink.copy()
    for x, y, w, h in boxes:  # a speck's whole (tiny) box: cheaper than a per-pixel label lookup
        large[y : y + h, x : x + w] = 0
    large = cv2.resize(large, None, fx=0.25, fy=0.25, interpolation=cv2.INTER_AREA)
    reach = max(1, int(cap_height * 0.6 / 4))
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (2 * reach + 1, 2 * reach + 1))
    near = cv2.dilate(large, kernel) > 0
    qx = np.minimum((centroids[ids, 0] / 4).astype(np.intp), near.shape[1] - 1)
    qy = np.minimum((centroids[ids, 1] / 4).astype(np.intp), near.shape[0] - 1)
    out = gray.copy()
    for k in np.flatnonzero(~near[qy, qx]).tolist():
        x, y, w, h = boxes[k]
        box = out[y : y + h, x : x + w]
        box[labels[y : y + h, x : x + w] == ids[k]] = 255
    return out


def blobs_to_text_box(
    blobs: Blobs, width: int, height: int, pad: int = 12
) -> tuple[int, int, int, int] | None:
    """The box ``(x0, top, x1, bottom)`` around all text-like ink, None for a blank page.

    Specks (noise, dust) and page-edge shadows are left out, so OCR skips empty margins.
    """
    import numpy as np

    if len(blobs) == 0:
        return None
    x, y, w, h, area = (blobs[:, i] for i in range(5))
    keep = (area >= 12) & (h >= 5) & (h <= height // 4) & (w <= width // 2)
    # Blobs touching the page edge are scanner shadows or binder holes, not text.
    keep &= (x > 1) & (y > 1) & (x + w < width - 1) & (y + h < height - 1)
    if int(keep.sum()) < 3:
        return None
    x0 = int(np.min(x[keep])) - pad
    top = int(np.min(y[keep])) - pad
    x1 = int(np.max(x[keep] + w[keep])) + pad
    bottom = int(np.max(y[keep] + h[keep])) + pad
    return (max(0, x0), max(0, top), min(width, x1), min(height, bottom))


def clean_for_ocr(gray: Gray) -> Gray:
    """Median-filtered image: removes salt-and-pepper speckle that tesseract turns into punctuation."""
    import cv2

    return cv2.medianBlur(gray, 3)


def ink_fraction(ink: Gray) -> float:
    """Fraction of pixels that are ink (a blank page is well under 0.2%)."""
    import numpy as np

    return float(np.count_nonzero(ink)) / float(ink.size or 1)


def gray_to_page_quad(gray: Gray) -> list[tuple[float, float]] | None:
    """The sheet's corners (top-left, top-right, bottom-right, bottom-left) when the picture shows
    it on a darker surround, as a phone photo does; None for a flat scan filling the image."""
    import cv2
    import numpy as np

    scale = min(1.0, 800.0 / max(gray.shape))
    small = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    _, paper = cv2.threshold(cv2.GaussianBlur(small, (5, 5), 0), 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    paper = cv2.morphologyEx(paper, cv2.MORPH_CLOSE, np.ones((15, 15), np.uint8))
    contours, _ = cv2.findContours(paper, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    if not contours:
        return None
    sheet = max(contours, key=cv2.contourArea)
    height, width = small.shape
    if cv2.contourArea(sheet) < 0.4 * width * height:
        return None
    approx = cv2.approxPolyDP(sheet, 0.02 * cv2.arcLength(sheet, True), True)
    if len(approx) != 4:
        return None
    points = approx.reshape(4, 2).astype(np.float64)
    sums, diffs = points.sum(axis=1), points[:, 0] - points[:, 1]
    ordered = [
        points[np.argmin(sums)],
        points[np.argmax(diffs)],
        points[np.argmax(sums)],
        points[np.argmin(diffs)],
    ]
    frame = [(0, 0), (width, 0), (width, height), (0, height)]
    inset = max(max(abs(p[0] - f[0]), abs(p[1] - f[1])) for p, f in zip(ordered, frame, strict=True))
    if inset < 0.01 * max(width, height):
        return None  # the sheet fills the picture: a scan, nothing to straighten
    return [(float(x) / scale, float(y) / scale) for x, y in ordered]


def warp_to_sheet(gray: Gray, quad: list[tuple[float, float]]) -> Gray:
    """The sheet inside ``quad`` mapped onto an upright rectangle of its own size (perspective undone)."""
    import cv2
    import numpy as np

    (tl, tr, br, bl) = (np.array(p) for p in quad)
    width = int(max(np.linalg.norm(tr - tl), np.linalg.norm(br - bl)))
    height = int(max(np.linalg.norm(bl - tl), np.linalg.norm(br - tr)))
    source = np.array(quad, dtype=np.float32)
    target = np.array([(0, 0), (width - 1, 0), (width - 1, height - 1), (0, height - 1)], dtype=np.float32)
    matrix = cv2.getPerspectiveTransform(source, target)
    return cv2.warpPerspective(gray, matrix, (width, height), flags=cv2.INTER_CUBIC, borderValue=255)
