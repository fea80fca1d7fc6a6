#!/usr/bin/python3
"""Independent decode of a few WFDB samples, for tests/data/wfdb_test.cpp.

Uses only the standard library (struct), not ecgtorch's decoder. Run by hand:
    /usr/bin/python3 tests/golden/wfdb_samples.py ../shared/data
Prints physical values (mV) that the C++ test hard-codes.
"""
import struct
import sys

data = sys.argv[1] if len(sys.argv) > 1 else "../shared/data"


def fmt16(path, nsig, frame, sig, offset=0):
    with open(path, "rb") as f:
        f.seek(offset + 2 * (frame * nsig + sig))
        return struct.unpack("<h", f.read(2))[0]


def fmt212(path, nsig, frame, sig):
    k = frame * nsig + sig  # index in the interleaved stream
    with open(path, "rb") as f:
        f.seek(3 * (k // 2))
        b0, b1, b2 = f.read(3)
    v = (b0 | ((b1 & 0x0F) << 8)) if k % 2 == 0 else (b2 | ((b1 & 0xF0) << 4))
    return v - 0x1000 if v & 0x800 else v


# PTB-XL 00001_hr: 12 signals, gain 1000, baseline 0.
p = f"{data}/ptbxl/records500/00000/00001_hr.dat"
print("ptbxl 00001_hr I[0..2]", [fmt16(p, 12, i, 0) / 1000 for i in range(3)])
print("ptbxl 00001_hr V6[4999]", fmt16(p, 12, 4999, 11) / 1000)
# MIT-BIH 100: format 212, gain 200, baseline 1024.
p = f"{data}/mitdb/100.dat"
print("mitdb 100 MLII[0..2]", [(fmt212(p, 2, i, 0) - 1024) / 200 for i in range(3)])
print("mitdb 100 V5[0..2]", [(fmt212(p, 2, i, 1) - 1024) / 200 for i in range(3)])
# LUDB 1, lead ii: gain 1206, baseline 2.
p = f"{data}/ludb/1.dat"
print("ludb 1 ii[100]", (fmt16(p, 12, 100, 1) - 2) / 1206)
# PTB s0010_re: signals 12..14 live in s0010_re.xyz (3 signals), gain 2000.
p = f"{data}/ptbdb/s0010_re.xyz"
print("ptbdb s0010_re vx[0], vz[10]", fmt16(p, 3, 0, 0) / 2000, fmt16(p, 3, 10, 2) / 2000)
# CinC 2021 HR06000.mat: format 16 after a 24-byte MAT header, gain 1000.
p = f"{data}/ptbxl/cinc2021_format/HR06000.mat"
print("cinc HR06000 I[0], II[1]", fmt16(p, 12, 0, 0, 24) / 1000, fmt16(p, 12, 1, 1, 24) / 1000)
# Mid-record samples, where the signals move.
p = f"{data}/ptbxl/records500/00000/00001_hr.dat"
print("ptbxl 00001_hr II[1234], V3[2500]", fmt16(p, 12, 1234, 1) / 1000, fmt16(p, 12, 2500, 8) / 1000)
p = f"{data}/mitdb/100.dat"
print("mitdb 100 MLII[77], V5[100001]", (fmt212(p, 2, 77, 0) - 1024) / 200, (fmt212(p, 2, 100001, 1) - 1024) / 200)
p = f"{data}/mitdb/208.dat"
print("mitdb 208 MLII[5000]", (fmt212(p, 2, 5000, 0) - 1024) / 200)
