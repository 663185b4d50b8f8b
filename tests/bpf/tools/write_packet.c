/* write_packet: writes the corpus packet (ringb_test_packet.h) to a file,
 * for `ringb test --data-in build/tests/bpf/packet.bin`. */
#include <stdio.h>

#include "ringb_test_packet.h"

int main(int argc, char **argv)
{
	static const unsigned char packet[] = {RINGB_TEST_PACKET_BYTES};
	FILE *f = argc == 2 ? fopen(argv[1], "wb") : NULL;
	if (!f || fwrite(packet, 1, sizeof(packet), f) != sizeof(packet) || fclose(f) != 0) {
		fprintf(stderr, "usage: write_packet FILE (and a writable FILE)\n");
		return 1;
	}
	return 0;
}
