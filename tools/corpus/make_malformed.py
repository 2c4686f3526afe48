#!/usr/bin/python3
"""Writes the malformed safetensors corpus: src/test/resources/malformed/*.safetensors + index.tsv.

Every file is the same small valid file (the base, below) with one thing wrong: truncated at each
structural boundary, a bit flipped in the length prefix, the header or the data, or one lie in one
header field (dtype, each shape entry, each offset, overlap, gap, trailing bytes, header length too
big or too small, bytes that are not UTF-8, bad JSON, nesting 1000 deep, metadata that is not a
string map, duplicate names and keys, numbers beyond 2^63, negative and fractional numbers, ...).
Two files are valid on purpose: the base itself, and the base with a data bit flipped (the format
has no checksum, so that change cannot be detected; the test shows it reads).

index.tsv has one line per file:

    file <TAB> expected <TAB> stream_expected <TAB> what

`expected` is a fragment of the SafetensorsException message from the readers that know the input
size (byte[], Path, map), or OK for a valid file; `stream_expected` the fragment for
Safetensors.read(InputStream), which learns about truncation only when the bytes run out, or "="
when it is the same. SafetensorsCorpusTest reads every file through every reader, checks the
fragments, and fails if a file in the folder is missing from the index (or the other way round).

Usage (from the repository root; Python 3 standard library only):

    /usr/bin/python3 tools/corpus/make_malformed.py           # (re)write the folder
    /usr/bin/python3 tools/corpus/make_malformed.py --check   # compare with the committed files, byte for byte

The output is deterministic: the same bytes on every run.
"""

import argparse
import os
import struct
import sys

OUT = os.path.join("src", "test", "resources", "malformed")

# The base file: metadata, then tensors a (F32 [2, 3]), b (I64 [2]) and c (F16 scalar), laid out
# as rnn4j's writer does (compact JSON, metadata first, header padded with spaces to 8 bytes).
META = '"__metadata__":{"format":"pt"}'
A = '"a":{"dtype":"F32","shape":[2,3],"data_offsets":[0,24]}'
B = '"b":{"dtype":"I64","shape":[2],"data_offsets":[24,40]}'
C = '"c":{"dtype":"F16","shape":[],"data_offsets":[40,42]}'
DATA_A = struct.pack("<6f", 1, 2, 3, 4, 5, 6)
DATA_B = struct.pack("<2q", -1, 1 << 40)
DATA_C = struct.pack("<H", 0x3C00)  # 1.0 in binary16
DATA = DATA_A + DATA_B + DATA_C


def header(*members, pad=True):
    """The JSON object of the given members, as bytes; padded with spaces to 8 like the writer."""
    text = ("{" + ",".join(members) + "}").encode("utf-8")
    if pad:
        text += b" " * (-len(text) % 8)
    return text


def file(head, data=DATA, length=None):
    """Length prefix (the real length unless given), header bytes, data."""
    if isinstance(head, str):
        head = head.encode("utf-8")
    n = len(head) if length is None else length
    return struct.pack("<Q", n & 0xFFFFFFFFFFFFFFFF) + head + data


BASE_HEADER = header(META, A, B, C)
BASE = file(BASE_HEADER)
N = len(BASE_HEADER)          # header length
D = 8 + N                     # where the data buffer starts


def lie(old, new, member=A):
    """The base with one substring of one member replaced."""
    assert old in member, (old, member)
    changed = member.replace(old, new, 1)
    members = [changed if m == member else m for m in (META, A, B, C)]
    return file(header(*members))


def flip(data, index, bit):
    b = bytearray(data)
    b[index] ^= 1 << bit
    return bytes(b)


def replace_bytes(data, old, new):
    assert data.count(old) >= 1, old
    return data.replace(old, new, 1)


def cases():
    """(file name, bytes, expected fragment, stream fragment or '=', description)."""
    deep = "[" * 1000 + "]" * 1000
    yield ("ok_base", BASE, "OK", "=", "the valid base file every other file is made from")
    yield ("ok_flipped_data_bit", flip(BASE, D + 3, 0), "OK", "=",
           "a bit flipped in the data of a: undetectable, the format has no checksum")

    # Truncations at every structural boundary.
    yield ("truncated_empty", b"", "0 bytes, fewer than the 8-byte header length prefix",
           "the 8-byte header length prefix needs 8 bytes, but only 0 remain", "an empty file")
    yield ("truncated_in_prefix", BASE[:4], "4 bytes, fewer than the 8-byte header length prefix",
           "the 8-byte header length prefix needs 8 bytes, but only 4 remain", "half of the length prefix")
    yield ("truncated_after_prefix", BASE[:8], "header length %d exceeds the 0 bytes that follow" % N,
           "truncated input: the %d-byte header needs %d bytes, but only 0 remain" % (N, N), "the length prefix only")
    yield ("truncated_in_header", BASE[:8 + N // 2],
           "header length %d exceeds the %d bytes that follow" % (N, N // 2),
           "truncated input: the %d-byte header needs %d bytes, but only %d remain" % (N, N, N // 2),
           "cut in the middle of the header")
    yield ("truncated_before_header_end", BASE[:D - 1], "header length %d exceeds the %d bytes that follow" % (N, N - 1),
           "but only %d remain" % (N - 1), "the last header byte missing")
    yield ("truncated_after_header", BASE[:D], "tensor 'a': data_offsets [0, 24] exceed the data buffer of 0 bytes",
           "truncated input: data of tensor 'a' at data_offsets [0, 24] needs 24 bytes, but only 0 remain",
           "header complete, no data")
    yield ("truncated_in_first_tensor", BASE[:D + 12], "tensor 'a': data_offsets [0, 24] exceed the data buffer of 12 bytes",
           "data of tensor 'a' at data_offsets [0, 24] needs 24 bytes, but only 12 remain", "cut inside tensor a")
    yield ("truncated_between_tensors", BASE[:D + 24],
           "tensor 'b': data_offsets [24, 40] exceed the data buffer of 24 bytes",
           "data of tensor 'b' at data_offsets [24, 40] needs 16 bytes, but only 0 remain", "cut after tensor a")
    yield ("truncated_last_byte", BASE[:-1], "tensor 'c': data_offsets [40, 42] exceed the data buffer of 41 bytes",
           "data of tensor 'c' at data_offsets [40, 42] needs 2 bytes, but only 1 remain", "the last byte missing")

    # Bit flips.
    yield ("flip_prefix_sign_bit", flip(BASE, 7, 7),
           "header length %d exceeds the limit of 100000000 bytes (maxHeaderBytes)" % ((1 << 63) + N), "=",
           "top bit of the length prefix: a length beyond 2^63")
    yield ("flip_prefix_bit_16", flip(BASE, 2, 0),
           "header length %d exceeds the %d bytes that follow the length prefix" % (N + 65536, N + len(DATA)),
           "truncated input: the %d-byte header needs %d bytes" % (N + 65536, N + 65536),
           "bit 16 of the length prefix: 64 KiB more than the file has")
    yield ("flip_prefix_bit_0", flip(BASE, 0, 0), "expected end of header after the JSON value", "=",
           "bit 0 of the length prefix: the header takes the first data byte")
    yield ("flip_header_quote", flip(BASE, 9, 0),
           "header JSON: expected '\"' starting an object key at character 1, found '#'", "=",
           "the first quote of the header becomes '#'")
    yield ("flip_header_dtype", replace_bytes(BASE, b'"F32"', b'"B32"'),
           "unsupported dtype B32 for tensor 'a'", "=", "F32 becomes B32 (bit 2 of 'F')")
    yield ("flip_header_high_bit", replace_bytes(BASE, b'"a"', b'"\xe1"'),
           "header is not valid UTF-8: bytes 0xE1 0x22 at header byte", "=",
           "bit 7 of the name a: a 3-byte UTF-8 lead followed by a quote")
    yield ("flip_header_digit", replace_bytes(BASE, b"[2,3]", b"[3,3]"),
           "tensor 'a': F32 shape [3, 3] needs 36 bytes, but data_offsets [0, 24] span 24", "=",
           "shape 2 becomes 3 (bit 0 of '2')")

    # One lie in each field of a tensor entry: dtype.
    yield ("dtype_unknown", lie('"F32"', '"Q8"'), "unsupported dtype Q8 for tensor 'a' (supported: F16, BF16, F32, F64, I32, I64)",
           "=", "a dtype no one has")
    yield ("dtype_lower_case", lie('"F32"', '"f32"'), "unsupported dtype f32 for tensor 'a'", "=", "dtypes are case-sensitive")
    yield ("dtype_unsupported", lie('"F32"', '"BOOL"'), "unsupported dtype BOOL for tensor 'a'", "=",
           "a safetensors dtype rnn4j does not read")
    yield ("dtype_wrong_size", lie('"F32"', '"F64"'),
           "tensor 'a': F64 shape [2, 3] needs 48 bytes, but data_offsets [0, 24] span 24", "=",
           "F64 where the data is F32")
    yield ("dtype_number", lie('"F32"', "32"), "tensor 'a': dtype must be a string, got the number 32", "=", "dtype as a number")
    yield ("dtype_null", lie('"F32"', "null"), "tensor 'a': dtype must be a string, got null", "=", "dtype null")
    # shape.
    yield ("shape_first_dim_wrong", lie("[2,3]", "[3,3]"), "tensor 'a': F32 shape [3, 3] needs 36 bytes", "=",
           "shape[0] one too big")
    yield ("shape_second_dim_wrong", lie("[2,3]", "[2,2]"),
           "tensor 'a': F32 shape [2, 2] needs 16 bytes, but data_offsets [0, 24] span 24", "=", "shape[1] one too small")
    yield ("shape_scalar_wrong", lie("[]", "[2]", C), "tensor 'c': F16 shape [2] needs 4 bytes, but data_offsets [40, 42] span 2",
           "=", "a scalar given a dimension")
    yield ("shape_negative", lie("[2,3]", "[-2,3]"),
           "tensor 'a': shape[0] must be a non-negative integer, got the number -2", "=", "a negative dimension")
    yield ("shape_fraction", lie("[2,3]", "[2,3.0]"),
           "tensor 'a': shape[1] must be a non-negative integer, got the number 3.0", "=", "a dimension written 3.0")
    yield ("shape_exponent", lie("[2,3]", "[2e0,3]"),
           "tensor 'a': shape[0] must be a non-negative integer, got the number 2e0", "=", "a dimension written 2e0")
    yield ("shape_string", lie("[2,3]", '["2",3]'),
           "tensor 'a': shape[0] must be a non-negative integer, got the string \"2\"", "=", "a dimension as a string")
    yield ("shape_not_array", lie("[2,3]", "6"), "tensor 'a': shape must be an array of integers, got the number 6", "=",
           "shape as a number")
    yield ("shape_beyond_int", lie("[2,3]", "[2147483648,3]"),
           "tensor 'a': shape[0] = 2147483648 exceeds the largest supported dimension 2147483647", "=",
           "a dimension of 2^31")
    yield ("shape_beyond_2_63", lie("[2,3]", "[2,9223372036854775808]"),
           "tensor 'a': shape[1] = 9223372036854775808 exceeds the supported range (at most 9223372036854775807)", "=",
           "a dimension of 2^63")
    yield ("shape_product_overflow", lie("[2,3]", "[2147483647,2147483647,2147483647,3]"),
           "tensor 'a': shape [2147483647, 2147483647, 2147483647, 3] has more elements than fit in 64 bits", "=",
           "dimensions whose product overflows 64 bits")
    yield ("shape_missing", lie('"shape":[2,3],', ""), "tensor 'a': missing key 'shape'", "=", "no shape")
    # data_offsets.
    yield ("offsets_begin_wrong", lie("[0,24]", "[1,24]"),
           "tensor 'a': F32 shape [2, 3] needs 24 bytes, but data_offsets [1, 24] span 23", "=", "begin one too big")
    yield ("offsets_end_wrong", lie("[0,24]", "[0,20]"),
           "tensor 'a': F32 shape [2, 3] needs 24 bytes, but data_offsets [0, 20] span 20", "=", "end too small")
    yield ("offsets_beyond_buffer", lie("[24,40]", "[28,44]", B),
           "tensor 'b': data_offsets [28, 44] exceed the data buffer of 42 bytes",
           "gap in the data buffer: bytes [24, 28) belong to no tensor (between 'a' and 'b' at [28, 44])",
           "b shifted by 4: past the end of the buffer")
    yield ("offsets_overlap", lie("[24,40]", "[16,32]", B),
           "tensor 'b': data_offsets [16, 32] overlap tensor 'a' at [0, 24]", "=", "b starts inside a")
    yield ("offsets_same_start", lie("[40,42]", "[0,2]", C),
           "tensor 'a': data_offsets [0, 24] overlap tensor 'c' at [0, 2]", "=", "c placed on the start of a")
    yield ("offsets_gap",
           file(header(META, A, B, C.replace("[40,42]", "[42,44]")), DATA_A + DATA_B + b"\0\0" + DATA_C),
           "gap in the data buffer: bytes [40, 42) belong to no tensor (between 'b' and 'c' at [42, 44])", "=",
           "two bytes between b and c that belong to no tensor")
    yield ("offsets_begin_after_end", lie("[0,24]", "[24,0]"), "tensor 'a': data_offsets [24, 0] has begin > end", "=",
           "begin and end swapped")
    yield ("offsets_three", lie("[0,24]", "[0,24,24]"),
           "tensor 'a': data_offsets must have 2 entries [begin, end], got 3", "=", "three offsets")
    yield ("offsets_one", lie("[0,24]", "[24]"), "tensor 'a': data_offsets must have 2 entries [begin, end], got 1", "=",
           "one offset")
    yield ("offsets_negative", lie("[24,40]", "[-24,40]", B),
           "tensor 'b': data_offsets[0] must be a non-negative integer, got the number -24", "=", "a negative offset")
    yield ("offsets_beyond_2_64", lie("[24,40]", "[24,18446744073709551656]", B),
           "tensor 'b': data_offsets[1] = 18446744073709551656 exceeds the supported range", "=",
           "end = 2^64 + 40, which wraps to 40 in unsigned 64-bit arithmetic")
    yield ("offsets_fraction", lie("[0,24]", "[0,24.0]"),
           "tensor 'a': data_offsets[1] must be a non-negative integer, got the number 24.0", "=", "an offset written 24.0")
    yield ("offsets_null", lie("[0,24]", "[null,24]"),
           "tensor 'a': data_offsets[0] must be a non-negative integer, got null", "=", "an offset null")
    yield ("offsets_not_array", lie("[0,24]", '"0-24"'),
           "tensor 'a': data_offsets must be an array of integers, got the string \"0-24\"", "=", "offsets as a string")
    yield ("trailing_bytes", BASE + b"\0\0\0\0", "the data buffer has 46 bytes but the tensors cover only 42; 4 trailing bytes",
           "trailing bytes after the last tensor, which ends at data buffer offset 42", "4 bytes after the last tensor")

    # The header length, too big and too small.
    yield ("header_length_plus_one", file(BASE_HEADER, length=N + 1),
           "header JSON: expected end of header after the JSON value at character %d, found U+0000" % N, "=",
           "one byte too many: the header takes the first data byte")
    unpadded = header(META, A, B, C, pad=False)
    yield ("header_length_cuts_json", file(BASE_HEADER, length=len(unpadded) - 1),
           "header JSON: expected ',' or '}' in object at character %d, found end of header" % (len(unpadded) - 1), "=",
           "too small: the closing brace falls outside the header")
    yield ("header_length_zero", file(BASE_HEADER, length=0),
           "header JSON: expected a JSON value at character 0, found end of header", "=", "length 0")
    yield ("header_length_over_cap", file(BASE_HEADER, length=100000001),
           "header length 100000001 exceeds the limit of 100000000 bytes (maxHeaderBytes)", "=", "one byte over the cap")
    yield ("header_length_2_40", file(BASE_HEADER, length=1 << 40),
           "header length 1099511627776 exceeds the limit of 100000000 bytes", "=", "a terabyte of header")
    yield ("header_length_all_ones", file(BASE_HEADER, length=-1),
           "header length 18446744073709551615 exceeds the limit", "=", "2^64 - 1, negative as a signed long")
    yield ("header_length_beyond_file", file(BASE_HEADER, length=N + 1000),
           "header length %d exceeds the %d bytes that follow the length prefix" % (N + 1000, N + len(DATA)),
           "truncated input: the %d-byte header needs %d bytes, but only %d remain" % (N + 1000, N + 1000, N + len(DATA)),
           "under the cap, but longer than the file")

    # Bytes that are not UTF-8.
    yield ("utf8_invalid_byte", replace_bytes(BASE, b'"a"', b'"\xff"'), "header is not valid UTF-8: bytes 0xFF at header byte",
           "=", "0xFF, never valid in UTF-8")
    yield ("utf8_overlong", replace_bytes(BASE, b'"a"', b'"\xc0\xaf"'), "header is not valid UTF-8: bytes 0xC0 at header byte",
           "=", "an overlong encoding of '/'")
    yield ("utf8_surrogate", replace_bytes(BASE, b'"a"', b'"\xed\xa0\x80"'),
           "header is not valid UTF-8: bytes 0xED 0xA0 at header byte", "=", "an encoded surrogate (CESU-8)")
    yield ("utf8_cut_sequence", replace_bytes(BASE, b'"a"', b'"\xe2\x82"'),
           "header is not valid UTF-8: bytes 0xE2 0x82 0x22 at header byte", "=", "a 3-byte sequence cut after 2")
    yield ("utf8_beyond_unicode", replace_bytes(BASE, b'"a"', b'"\xf4\x90\x80\x80"'),
           "header is not valid UTF-8: bytes 0xF4 0x90 at header byte", "=", "a code point above U+10FFFF")

    # JSON that is not JSON.
    yield ("json_trailing_comma", file(header(META, A, B, C + ",")), "expected '\"' starting an object key", "=",
           "a comma before the closing brace")
    yield ("json_single_quotes", file(header(META, A.replace('"a"', "'a'"), B, C)),
           "expected '\"' starting an object key", "=", "a key in single quotes")
    yield ("json_comment", file(b"/**/" + BASE_HEADER), "header JSON: expected a JSON value at character 0, found '/'", "=",
           "a comment before the object")
    yield ("json_nan", lie("[2,3]", "[NaN,3]"), "header JSON: expected a JSON value at character", "=", "NaN as a dimension")
    yield ("json_leading_zero", lie("[2,3]", "[02,3]"), "header JSON: leading zero in number", "=", "a dimension 02")
    yield ("json_unterminated_string", file(b'{"a":{"dtype":"F32'), "header JSON: unterminated string", "=",
           "the header ends inside a string")
    yield ("json_missing_colon", lie('"dtype":', '"dtype" '), "header JSON: expected ':'", "=", "no colon after a key")
    yield ("json_top_level_array", file(b"[]      "),
           "header JSON must be an object, got an array", "=", "the header is an array")
    yield ("json_text_after_object", file(BASE_HEADER + b"x"), "header JSON: expected end of header after the JSON value", "=",
           "a character after the object")
    yield ("json_control_character", replace_bytes(BASE, b'"a"', b'"\x01"'),
           "header JSON: control character U+0001 in string (must be escaped)", "=", "a raw control character in a name")
    yield ("json_bad_escape", replace_bytes(BASE, b'"a"', b'"\\x"'), "header JSON: invalid escape '\\x'", "=", "the escape \\x")
    yield ("json_lone_surrogate_escape", replace_bytes(BASE, b'"a"', b'"\\ud800"'),
           "header JSON: unpaired high surrogate escape", "=", "an escaped high surrogate without its low half")

    # Nesting 1000 deep, in each place the schema has.
    yield ("nesting_top_level", file(deep),
           "header JSON must be an object, got an array", "=", "1000 nested arrays as the header")
    yield ("nesting_entry", file(header(META, '"a":' + deep, B, C)), "tensor 'a': entry must be an object", "=",
           "1000 nested arrays as a tensor entry")
    yield ("nesting_shape", lie("[2,3]", "[" + deep + "]"),
           "tensor 'a': shape[0] must be a non-negative integer, got an array", "=", "1000 nested arrays in a shape")
    yield ("nesting_metadata", file(header('"__metadata__":{"format":' + deep + "}", A, B, C)),
           "__metadata__['format'] must be a string, got an array", "=", "1000 nested arrays as a metadata value")

    # The metadata map.
    yield ("metadata_number", lie('"pt"', "1", META), "__metadata__['format'] must be a string, got the number 1", "=",
           "a metadata value that is a number")
    yield ("metadata_object_value", lie('"pt"', '{"v":"pt"}', META), "__metadata__['format'] must be a string, got an object",
           "=", "a metadata value that is an object")
    yield ("metadata_array", file(header('"__metadata__":["format","pt"]', A, B, C)),
           "__metadata__ must be an object of string values, got an array", "=", "metadata as an array")
    yield ("metadata_string", file(header('"__metadata__":"pt"', A, B, C)),
           "__metadata__ must be an object of string values, got the string \"pt\"", "=", "metadata as a string")
    yield ("metadata_duplicate_key", lie('{"format":"pt"}', '{"format":"pt","format":"np"}', META),
           "header JSON: duplicate key 'format'", "=", "the same metadata key twice")
    yield ("metadata_twice", file(header(META, A, B, C, META)), "header JSON: duplicate key '__metadata__'", "=",
           "two metadata maps")

    # Names and entry keys.
    yield ("duplicate_tensor_name", file(header(META, A, B, C.replace('"c"', '"a"'))),
           "header JSON: duplicate tensor name 'a'", "=", "two tensors named a")
    yield ("duplicate_entry_key", lie('"dtype":"F32",', '"dtype":"F32","dtype":"F32",'),
           "header JSON: duplicate key 'dtype'", "=", "dtype twice in one entry")
    yield ("unknown_entry_key", lie('"data_offsets"', '"offsets"'),
           "tensor 'a': unknown key 'offsets' (expected exactly dtype, shape, data_offsets)", "=", "a misspelt key")
    yield ("entry_not_object", file(header(META, '"a":[0,24]', B, C)),
           "tensor 'a': entry must be an object with keys dtype, shape, data_offsets; got an array", "=",
           "a tensor entry that is an array")
    yield ("name_with_line_break", lie('"a":{"dtype":"F32"', '"a\\nb":{"dtype":"Q8"'),
           "unsupported dtype Q8 for tensor 'a\\nb'", "=", "a name with a line break, shown escaped in the one-line message")


def build():
    files = {}
    index = ["# file\texpected (byte[], Path, map)\tstream_expected (InputStream; = when the same)\twhat"]
    for name, data, expected, stream, what in cases():
        fname = name + ".safetensors"
        assert fname not in files, fname
        for text in (expected, stream, what):
            assert "\t" not in text and "\n" not in text, text
        files[fname] = data
        index.append("\t".join((fname, expected, stream, what)))
    files["index.tsv"] = ("\n".join(index) + "\n").encode("utf-8")
    return files


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare with the committed files instead of writing")
    args = parser.parse_args()
    files = build()
    if args.check:
        present = set(os.listdir(OUT)) if os.path.isdir(OUT) else set()
        bad = sorted(set(files) ^ present)
        for name, data in sorted(files.items()):
            path = os.path.join(OUT, name)
            if os.path.exists(path):
                with open(path, "rb") as f:
                    if f.read() != data:
                        bad.append(name)
        if bad:
            print("differs from the committed corpus: " + ", ".join(bad), file=sys.stderr)
            return 1
        print("%d files match" % len(files))
        return 0
    os.makedirs(OUT, exist_ok=True)
    for stale in os.listdir(OUT):
        if stale not in files:
            os.remove(os.path.join(OUT, stale))
    for name, data in sorted(files.items()):
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(data)
    print("wrote %d files to %s" % (len(files), OUT))
    return 0


if __name__ == "__main__":
    sys.exit(main())
