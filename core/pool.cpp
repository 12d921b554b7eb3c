// Placeholder translation unit: the implementation is being written (issue #2).
#include "pool.h"
