// hb_standby — ask the local hamaster to give resources to the peer (Heartbeat's hb_standby).
#include "tools/standby_request.hpp"

int main(int argc, char** argv) { return ha::tools::standby_request("hb_standby", "standby", "Going standby", argc, argv); }
