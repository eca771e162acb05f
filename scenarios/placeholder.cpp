// Keeps this library target non-empty until its first module lands.
namespace attest {}
