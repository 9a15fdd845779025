// A QR code as a standalone SVG (libqrencode; error correction M, byte
// mode), for the class page's link: served as an image and inlined in the
// printable QR sheet. Black modules on white with the 4-module quiet zone
// the standard asks for; `module_px` sets the rendered size only.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace edugov::homework_board {

StatusOr<std::string> QrSvg(std::string_view text, int module_px = 4);

}  // namespace edugov::homework_board
