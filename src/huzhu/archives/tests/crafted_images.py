"""Image files written byte by byte: headers that claim huge sizes (image bombs) and cut-off files."""
import io
import random
import struct
import zlib

from PIL import Image

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _chunk(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))


def png_claiming(width: int, height: int) -> bytes:
    """A valid PNG signature, an IHDR of width × height (8-bit RGB, CRC correct) and a tiny IDAT."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (PNG_SIGNATURE + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(b"\x00" * 64))
            + _chunk(b"IEND", b""))


def real_jpeg(size=(800, 600), colour=(10, 120, 200)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "JPEG")
    return out.getvalue()


def jpeg_claiming(width: int, height: int) -> bytes:
    """A small real JPEG whose start-of-frame (SOF0) marker is patched to claim width × height."""
    content = bytearray(real_jpeg((16, 16)))
    sof = content.index(b"\xff\xc0")  # marker, length (2), precision (1), then height and width
    struct.pack_into(">HH", content, sof + 5, height, width)
    return bytes(content)


def truncated(content: bytes, keep: float = 0.5) -> bytes:
    """The first part of a file, as a phone upload cut off halfway leaves it."""
    return content[: int(len(content) * keep)]


def noisy_png(size=(300, 200)) -> bytes:
    """A PNG of random grey pixels: it does not compress, so cutting it loses pixel rows."""
    noise = random.Random(1)
    out = io.BytesIO()
    Image.frombytes("L", size, bytes(noise.randrange(256) for _ in range(size[0] * size[1]))).save(out, "PNG")
    return out.getvalue()
