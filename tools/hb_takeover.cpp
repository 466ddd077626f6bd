// hb_takeover — ask the local hamaster to take resources from the peer (Heartbeat's hb_takeover).
#include "tools/standby_request.hpp"

int main(int argc, char** argv) { return ha::tools::standby_request("hb_takeover", "takeover", "Taking over", argc, argv); }
