// The one place an error becomes an HTTP answer: the status for its code and
// the JSON body {"error":{code,message,field}} in the reader's language.
// Every route answers errors through ErrorResponse (route.h applies it to
// every handler's Status). The server itself answers 413 and 431 for its own
// size limits before any handler runs.
#include "http/request.h"

namespace edugov::http {

int HttpStatusFor(StatusCode code) {
  switch (code) {
    case StatusCode::kOk: return 200;
    case StatusCode::kInvalidArgument: return 400;
    case StatusCode::kUnauthenticated: return 401;
    case StatusCode::kPermissionDenied: return 403;
    case StatusCode::kNotFound: return 404;
    case StatusCode::kAlreadyExists: return 409;
    case StatusCode::kFailedPrecondition: return 409;
    case StatusCode::kResourceExhausted: return 429;
    case StatusCode::kUnavailable: return 503;
    case StatusCode::kInternal: return 500;
  }
  return 500;
}

int HttpStatusFor(const Status& status) {
  // kResourceExhausted is both "this input is too large" and "slow down";
  // the field tells them apart: a size or count limit names the input it
  // refuses (an attachment, an uploaded file), a rate or quota limit names
  // nothing. A client must not retry the first (413) and should retry the
  // second later (429).
  if (status.code() == StatusCode::kResourceExhausted && !status.field().empty()) return 413;
  return HttpStatusFor(status.code());
}

Response ErrorResponse(const Status& status, Lang lang) {
  nlohmann::json error = {
      {"code", StatusCodeName(status.code())},
      {"message", status.message(lang)},
  };
  if (!status.field().empty()) error["field"] = status.field();
  return JsonResponse({{"error", std::move(error)}}, HttpStatusFor(status));
}

}  // namespace edugov::http
