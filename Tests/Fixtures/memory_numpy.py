import numpy


@profile
def ones():
    array = numpy.ones(10**7)  # numpy-ones
    return array


kept = ones()
