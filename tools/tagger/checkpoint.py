"""Read a TensorFlow checkpoint (TensorBundle) with numpy alone.

The musicnn wheel ships its weights as TF checkpoints: an `.index` file that
is a LevelDB SSTable mapping tensor names to BundleEntryProto records, and a
`.data-00000-of-00001` file of raw little-endian tensors. Reading them
directly keeps TensorFlow out of the product. Only what those checkpoints use
is supported: uncompressed blocks, float32 tensors, one shard.
"""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np

from tools.errors import ModelMissingError

_MAGIC = 0xDB4775248B80FB57
_DT_FLOAT = 1


def _varint(buf: bytes, pos: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        byte = buf[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if byte < 0x80:
            return result, pos
        shift += 7


def _block_entries(data: bytes, offset: int, size: int) -> list[tuple[bytes, bytes]]:
    """Decode one SSTable block: prefix-compressed keys, restart array at the end."""
    block = data[offset : offset + size]
    if data[offset + size] != 0:
        raise ValueError("compressed SSTable blocks are not supported")
    num_restarts = struct.unpack_from("<I", block, len(block) - 4)[0]
    end = len(block) - 4 - 4 * num_restarts
    entries, pos, key = [], 0, b""
    while pos < end:
        shared, pos = _varint(block, pos)
        non_shared, pos = _varint(block, pos)
        value_len, pos = _varint(block, pos)
        key = key[:shared] + block[pos : pos + non_shared]
        pos += non_shared
        entries.append((key, block[pos : pos + value_len]))
        pos += value_len
    return entries


def _parse_fields(buf: bytes) -> dict[int, list]:
    """A minimal protobuf decoder: field number -> list of raw values."""
    fields: dict[int, list] = {}
    pos = 0
    while pos < len(buf):
        tag, pos = _varint(buf, pos)
        number, wire = tag >> 3, tag & 7
        if wire == 0:
            value, pos = _varint(buf, pos)
        elif wire == 1:
            value = struct.unpack_from("<Q", buf, pos)[0]
            pos += 8
        elif wire == 2:
            length, pos = _varint(buf, pos)
            value = buf[pos : pos + length]
            pos += length
        elif wire == 5:
            value = struct.unpack_from("<I", buf, pos)[0]
            pos += 4
        else:
            raise ValueError(f"unsupported protobuf wire type {wire}")
        fields.setdefault(number, []).append(value)
    return fields


def _shape(shape_proto: bytes) -> tuple[int, ...]:
    dims = _parse_fields(shape_proto).get(2, [])
    return tuple(_parse_fields(d).get(1, [0])[0] for d in dims)


def read_checkpoint(prefix: str | Path) -> dict[str, np.ndarray]:
    """All float32 tensors of a checkpoint, by name (e.g. 'model/dense/kernel').

    `prefix` is the path without the `.index` suffix (musicnn's checkpoints
    are named just `.index` inside their folder, so the prefix is 'DIR/').
    """
    prefix = str(prefix)
    index_path, data_path = Path(prefix + ".index"), Path(prefix + ".data-00000-of-00001")
    if not index_path.is_file() or not data_path.is_file():
        raise ModelMissingError(
            f"checkpoint files not found at {prefix}(.index, .data-00000-of-00001)"
        )
    index = index_path.read_bytes()
    if struct.unpack_from("<Q", index, len(index) - 8)[0] != _MAGIC:
        raise ValueError(f"{index_path} is not a TensorFlow checkpoint index")
    footer = index[-48:]
    _, pos = _varint(footer, 0)  # metaindex offset
    _, pos = _varint(footer, pos)  # metaindex size
    index_offset, pos = _varint(footer, pos)
    index_size, pos = _varint(footer, pos)

    data = data_path.read_bytes()
    tensors: dict[str, np.ndarray] = {}
    for _, handle in _block_entries(index, index_offset, index_size):
        block_offset, p = _varint(handle, 0)
        block_size, _ = _varint(handle, p)
        for key, value in _block_entries(index, block_offset, block_size):
            if not key:  # the empty key holds the BundleHeaderProto
                continue
            entry = _parse_fields(value)
            if entry.get(1, [0])[0] != _DT_FLOAT:
                continue
            shape = _shape(entry[2][0]) if 2 in entry else ()
            offset = entry.get(4, [0])[0]
            size = entry.get(5, [0])[0]
            array = np.frombuffer(data, dtype="<f4", count=size // 4, offset=offset)
            tensors[key.decode()] = array.reshape(shape).astype(np.float32)
    return tensors
