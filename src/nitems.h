/* The number of elements of an array (not of a pointer). */
#ifndef YURT_NITEMS_H
#define YURT_NITEMS_H

#define NITEMS(a)	(sizeof(a) / sizeof((a)[0]))

#endif
