#pragma once
// Oracle stages: a page's scale or layout taken from its ground truth (our renderer's or
// ecg-image-kit's JSON, render/ground_truth.h) instead of the image, so the loss of each
// stage of page reading can be measured on pages whose truth is known
// (`ecgtorch digitize --use-truth scale,layout`). Nothing here is used when reading a page
// from the image alone.
//
// - scale: the grid's px per mm (ecg-image-kit: x_grid / 5, y_grid / 5) replaces the
//   measured one; the angles found in the image are kept.
// - layout: the rows, each row's time origin and the panels (lead, column, window) come
//   from the truth's plotted pixels, mapped into the canonical frame (ecg-image-kit's pixel
//   coordinates are pixel edges: less 0.5). The zero line, the pulse and the gain stay
//   those found in the image for the found row nearest each truth row (within a third of
//   the row spacing); a truth row with none reads its zero from its trace. The truth's
//   pixels are those of the undistorted page, so the layout oracle holds only for pages
//   without rotation or warping (ecg-image-kit's clean pages).

#include "digitize/layout_finder.h"
#include "digitize/page_geometry.h"
#include "render/ground_truth.h"

namespace ecg::digitize {

/// Replaces the geometry's px per mm by the truth's and recomputes the canonical warp.
/// Throws ecg::Error when the truth has no positive scale.
void apply_truth_scale(PageGeometry& geometry, const render::PageTruth& truth);

/// The layout of the truth in the canonical frame of `geometry`, with the zero lines of
/// `found`. Throws ecg::Error naming the truth's id when it has no plotted lead.
FoundLayout truth_layout(const render::PageTruth& truth, const PageGeometry& geometry, const FoundLayout& found);

}  // namespace ecg::digitize
