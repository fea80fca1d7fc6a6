#include "data/annotations.h"

#include <gtest/gtest.h>

#include <map>

#include "core/atomic_file.h"
#include "test_util.h"

namespace ecg::data {
namespace {

std::map<std::string, int> counts(const std::vector<Annotation>& a) {
  std::map<std::string, int> c;
  for (const auto& x : a) ++c[x.symbol()];
  return c;
}

TEST(MitAnnotations, MitdbBeatCountsMatchTheDatabaseDirectory) {
  ECG_REQUIRE_SHARED_DATA("mitdb/208.atr");
  const auto a = read_mit_annotations(ecg::testing::shared_data_dir() / "mitdb/100.atr");
  EXPECT_EQ(counts(a), (std::map<std::string, int>{{"+", 1}, {"A", 33}, {"N", 2239}, {"V", 1}}));
  EXPECT_EQ(a[0].sample, 18);
  EXPECT_EQ(a[0].aux, "(N");
  EXPECT_EQ(a[1].sample, 77);
  EXPECT_EQ(a.back().sample, 649991);
  const auto b = read_mit_annotations(ecg::testing::shared_data_dir() / "mitdb/208.atr");
  const auto c = counts(b);
  EXPECT_EQ(c.at("N"), 1586);
  EXPECT_EQ(c.at("V"), 992);
  EXPECT_EQ(c.at("F"), 373);
  EXPECT_EQ(c.at("S"), 2);
  EXPECT_EQ(c.at("Q"), 2);
  int beats = 0;
  for (const auto& x : b) beats += aami_class(x.code) != 0;
  EXPECT_EQ(beats, 2955);
}

TEST(MitAnnotations, LudbDelineation) {
  ECG_REQUIRE_SHARED_DATA("ludb/1.i");
  const auto a = read_mit_annotations(ecg::testing::shared_data_dir() / "ludb/1.i");
  EXPECT_EQ(counts(a), (std::map<std::string, int>{{"(", 16}, {")", 16}, {"N", 6}, {"p", 5}, {"t", 5}}));
  EXPECT_EQ(a[0].sample, 641);
  EXPECT_EQ(a[0].symbol(), "(");
}

TEST(MitAnnotations, ShippedFilesRoundTripByteForByte) {
  ECG_REQUIRE_SHARED_DATA("mitdb/100.atr");
  ecg::testing::TempDir tmp;
  for (const auto& rel : {"mitdb/100.atr", "mitdb/100s.atr", "mitdb/208.atr", "ludb/1.i", "ludb/1.v6"}) {
    const auto src = ecg::testing::shared_data_dir() / rel;
    write_mit_annotations(read_mit_annotations(src), tmp / "rt");
    EXPECT_EQ(read_file(tmp / "rt"), read_file(src)) << rel;
  }
}

TEST(MitAnnotations, WriterHandlesGapsFieldsAndAux) {
  ecg::testing::TempDir tmp;
  std::vector<Annotation> in(4);
  in[0].sample = 5;
  in[0].code = annotation_code("+");
  in[0].aux = "(AFIB";
  in[1].sample = 5000;  // a gap over 1023 samples needs SKIP
  in[1].code = annotation_code("V");
  in[1].subtype = 3;
  in[1].chan = 1;
  in[2].sample = 1000000;
  in[2].code = annotation_code("N");
  in[2].chan = 1;
  in[2].num = 7;
  in[3].sample = 1000000;
  in[3].code = annotation_code("~");
  in[3].chan = 1;
  in[3].num = 7;
  write_mit_annotations(in, tmp / "x.atr");
  const auto out = read_mit_annotations(tmp / "x.atr");
  ASSERT_EQ(out.size(), 4u);
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(out[i].sample, in[i].sample) << i;
    EXPECT_EQ(out[i].code, in[i].code) << i;
    EXPECT_EQ(out[i].subtype, in[i].subtype) << i;
    EXPECT_EQ(out[i].chan, in[i].chan) << i;
    EXPECT_EQ(out[i].num, in[i].num) << i;
    EXPECT_EQ(out[i].aux, in[i].aux) << i;
  }
  EXPECT_EQ(aami_class(annotation_code("L")), 'N');
  EXPECT_EQ(aami_class(annotation_code("a")), 'S');
  EXPECT_EQ(aami_class(annotation_code("E")), 'V');
  EXPECT_EQ(aami_class(annotation_code("f")), 'Q');
  EXPECT_EQ(aami_class(annotation_code("+")), 0);
  EXPECT_ERROR_HAS(annotation_code("Z"), "unknown annotation symbol 'Z'");
  std::vector<Annotation> bad(2);
  bad[0].sample = 10;
  bad[1].sample = 3;
  EXPECT_ERROR_HAS(write_mit_annotations(bad, tmp / "b.atr"), "annotation 1 at sample 3 comes before the previous one");
}

TEST(MitAnnotations, BadFilesNameTheByte) {
  ecg::testing::TempDir tmp;
  EXPECT_ERROR_HAS(read_mit_annotations(tmp.write("t.atr", std::string("\x12\x04", 2))),
                   "t.atr: truncated at byte 2 (expected another 16-bit word)");
  EXPECT_ERROR_HAS(read_mit_annotations(tmp.write("p.atr", std::string("\x03\xfc", 2))),
                   "p.atr: byte 0: pseudo-annotation 63 before any annotation");
  EXPECT_ERROR_HAS(read_mit_annotations(tmp.write("a.atr", std::string("\x12\x04\x09\xfc"
                                                                       "ab",
                                                                       6))),
                   "a.atr: byte 2: aux string of 9 bytes runs past the end of the file");
  // SKIP by -100 after an annotation at 18: negative time.
  EXPECT_ERROR_HAS(
      read_mit_annotations(tmp.write("n.atr", std::string("\x12\x04\x00\xec\xff\xff\x9c\xff\x00\x04\x00\x00", 12))),
      "n.atr: byte 8: annotation time goes negative (-82)");
  EXPECT_ERROR_HAS(read_mit_annotations(tmp / "missing.atr"), "missing.atr: cannot open");
}

}  // namespace
}  // namespace ecg::data
