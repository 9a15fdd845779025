#include "homework_board/qr.h"

#include <qrencode.h>

#include <memory>
#include <string>

namespace edugov::homework_board {

StatusOr<std::string> QrSvg(std::string_view text, int module_px) {
  const std::string input(text);
  std::unique_ptr<QRcode, decltype(&QRcode_free)> code(
      QRcode_encodeString8bit(input.c_str(), 0, QR_ECLEVEL_M), &QRcode_free);
  if (!code) {
    return InvalidArgumentError("text too long for a QR code (" + std::to_string(text.size()) + " bytes)",
                                "内容过长，无法生成二维码（" + std::to_string(text.size()) + " 字节）");
  }
  constexpr int kQuiet = 4;
  const int w = code->width;
  const int size = w + 2 * kQuiet;
  std::string path;
  for (int y = 0; y < w; ++y) {
    for (int x = 0; x < w; ++x) {
      // Bit 0 of each byte: the module is dark.
      if (code->data[y * w + x] & 1) {
        path += "M" + std::to_string(x + kQuiet) + "," + std::to_string(y + kQuiet) + "h1v1h-1z";
      }
    }
  }
  const std::string px = std::to_string(size * module_px);
  return "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + px + "\" height=\"" + px + "\" viewBox=\"0 0 " +
         std::to_string(size) + " " + std::to_string(size) +
         "\" shape-rendering=\"crispEdges\"><rect width=\"100%\" height=\"100%\" fill=\"#fff\"/><path fill=\"#000\" d=\"" +
         path + "\"/></svg>";
}

}  // namespace edugov::homework_board
