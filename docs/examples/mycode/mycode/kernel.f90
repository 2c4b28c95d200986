! A Fortran subroutine wrapped by f2py: y = a*x + y.
subroutine axpy(n, a, x, y)
  implicit none
  integer, intent(in) :: n
  double precision, intent(in) :: a
  double precision, intent(in) :: x(n)
  double precision, intent(inout) :: y(n)
  integer :: i
  do i = 1, n
    y(i) = a * x(i) + y(i)
  end do
end subroutine axpy
